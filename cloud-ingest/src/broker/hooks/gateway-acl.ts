import type { GatewayCredential } from "../../credentials/credentials-file.js";
import type { RefusalReason } from "../refusals.js";

const KINDS = new Set(["events", "status"]);

/**
 * Why `gateway` may not publish to `topic`, or null when it may. A gateway publishes only to
 * `lotwatch/v1/{its site}/{its id}/events|status`: no wildcards, nothing deeper, nothing else.
 */
export function publishRefusal(gateway: GatewayCredential | undefined, topic: string): RefusalReason | null {
  // [MQTT-3.3.2-2] wildcards are never valid in a PUBLISH topic.
  if (topic.includes("+") || topic.includes("#")) return "publish_wildcard";
  if (gateway === undefined) return "publish_outside_topics";
  const levels = topic.split("/");
  if (levels[0] !== "lotwatch" || levels[1] !== "v1" || levels.length < 4) return "publish_outside_topics";
  if (levels[2] !== gateway.site) return "publish_other_site";
  if (levels[3] !== gateway.id) return "publish_other_gateway";
  if (levels.length !== 5 || !KINDS.has(levels[4] ?? "")) return "publish_outside_topics";
  return null;
}

/**
 * Why `gateway` may not subscribe to `filter`, or null when it may: only filters inside its own
 * `lotwatch/v1/{site}/{id}/` prefix, never `$`-topics (`$SYS/#`, `$share/…`) or `#`.
 */
export function subscribeRefusal(
  gateway: GatewayCredential | undefined,
  filter: string,
): RefusalReason | null {
  if (filter.startsWith("$")) return "subscribe_reserved";
  if (gateway === undefined) return "subscribe_outside_prefix";
  const levels = filter.split("/");
  const prefix = ["lotwatch", "v1", gateway.site, gateway.id];
  // Wildcards in the first four levels would reach other gateways, so each must match literally.
  const inside = levels.length > prefix.length && prefix.every((level, index) => levels[index] === level);
  return inside ? null : "subscribe_outside_prefix";
}
