import type { Aedes, Client } from "aedes";
import type { GatewayDirectory } from "../../credentials/credentials-file.js";
import type { MessageHandler } from "../../ingest/handle-message.js";
import type { Logger } from "../../logging/create-logger.js";
import type { CommitTracker } from "../commit-tracker.js";
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
}

/**
 * PUBACK means stored. aedes acks a QoS 1 PUBLISH before delivering it to subscribers, and this
 * hook is the only code that runs before the ack, so lotwatch messages are committed here and the
 * callback fires only after the commit. A storage failure calls back with an error: aedes then
 * sends no PUBACK and drops the connection (MQTT-3.3.5-2), and the gateway resends. Malformed
 * content is a stored rejection, so it is acked like any other committed message.
 */
export function createAuthorizePublish(options: AuthorizePublishOptions): AuthorizePublishHook {
  const { handler, commits, logger, gateways, refusals } = options;
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
    commits.track(handler.handleMessage(packet.topic, payload)).then(
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
