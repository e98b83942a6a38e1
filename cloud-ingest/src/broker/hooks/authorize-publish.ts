import type { Aedes } from "aedes";
import type { MessageHandler } from "../../ingest/handle-message.js";
import type { Logger } from "../../logging/create-logger.js";
import type { CommitTracker } from "../commit-tracker.js";

export type AuthorizePublishHook = Aedes["authorizePublish"];

export interface AuthorizePublishOptions {
  handler: MessageHandler;
  commits: CommitTracker;
  logger: Logger;
}

/**
 * PUBACK means stored. aedes acks a QoS 1 PUBLISH before delivering it to subscribers, and this
 * hook is the only code that runs before the ack, so lotwatch messages are committed here and the
 * callback fires only after the commit. A storage failure calls back with an error: aedes then
 * sends no PUBACK and drops the connection (MQTT-3.3.5-2), and the gateway resends. Malformed
 * content is a stored rejection, so it is acked like any other committed message.
 */
export function createAuthorizePublish(options: AuthorizePublishOptions): AuthorizePublishHook {
  const { handler, commits, logger } = options;
  return function authorizePublish(client, packet, callback) {
    // aedes' default hook refuses $SYS publishes (aedes #597); replacing it must keep that.
    if (packet.topic.startsWith("$SYS/")) {
      callback(new Error("$SYS/ topics are reserved for the broker"));
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
