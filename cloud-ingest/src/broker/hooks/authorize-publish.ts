import type { Aedes, Client } from "aedes";
import type { GatewayDirectory } from "../../credentials/credentials-file.js";
import type { MessageHandler } from "../../ingest/handle-message.js";
import type { Logger } from "../../logging/create-logger.js";
import type { CommitTracker } from "../commit-tracker.js";
import type { PublishThrottle } from "../publish-throttle.js";
import { type RefusalReason, type RefusalReporter, RefusedError } from "../refusals.js";
import { publishRefusal } from "./gateway-acl.js";

export type AuthorizePublishHook = Aedes["authorizePublish"];

export interface AuthorizePublishOptions {
  handler: MessageHandler;
  commits: CommitTracker;
  logger: Logger;
  /** With credentials, each gateway may publish only to its own two topics (gateway-acl.ts). */
  gateways?: GatewayDirectory;
  refusals?: RefusalReporter;
  /** Holds back a client's publishes past its byte rate (publish-throttle.ts). */
  throttle?: PublishThrottle;
}

/**
 * PUBACK means stored. aedes acks a QoS 1 PUBLISH before delivering it to subscribers, and this
 * hook is the only code that runs before the ack, so lotwatch messages are committed here and the
 * callback fires only after the commit. A storage failure calls back with an error: aedes then
 * sends no PUBACK and drops the connection (MQTT-3.3.5-2), and the gateway resends. Malformed
 * content is a stored rejection, so it is acked like any other committed message.
 */
export function createAuthorizePublish(options: AuthorizePublishOptions): AuthorizePublishHook {
  const { handler, commits, logger, gateways, refusals, throttle } = options;
  const refusalFor = (client: Client | null, topic: string): RefusalReason | null => {
    // Without credentials anyone may publish, except that aedes' default hook refuses $SYS
    // publishes (aedes #597) and replacing it must keep that.
    if (gateways === undefined) return topic.startsWith("$SYS/") ? "publish_outside_topics" : null;
    // A Last Will is checked here too, when it is published: CONNECT does not check its topic.
    return publishRefusal(client === null ? undefined : gateways.get(client.id), topic);
  };
  return function authorizePublish(client, packet, callback) {
    const refusal = refusalFor(client, packet.topic);
    if (refusal !== null) {
      const who = client?.id ?? "(no client)";
      refusals?.refuse(who, refusal, { topic: packet.topic });
      // MQTT 3.1.1 has no negative PUBACK: aedes drops the connection, and nothing is stored.
      callback(new RefusedError(refusal, `${who} may not publish to ${packet.topic} (${refusal})`));
      return;
    }
    if (!packet.topic.startsWith("lotwatch/")) {
      callback(null);
      return;
    }
    const payload = typeof packet.payload === "string" ? Buffer.from(packet.payload) : packet.payload;
    const delayMs = client === null ? 0 : (throttle?.delayFor(client.id, payload.length) ?? 0);
    if (delayMs > 0) refusals?.refuse(client?.id ?? "(no client)", "publish_throttled", { delayMs });
    // A held-back publish is tracked from the start, so a shutdown waits for it to be stored.
    const commit =
      delayMs > 0
        ? new Promise((resolve) => setTimeout(resolve, delayMs)).then(() =>
            handler.handleMessage(packet.topic, payload),
          )
        : handler.handleMessage(packet.topic, payload);
    commits.track(commit).then(
      () => callback(null),
      (error: unknown) => {
        logger.error(
          { err: error, topic: packet.topic, client: client?.id },
          "commit failed; withholding PUBACK so the gateway resends",
        );
        callback(error instanceof Error ? error : new Error(String(error)));
      },
    );
  };
}
