import { ConfigError, LotwatchError } from "@lotwatch/protocol/errors.js";
import { NAME_PATTERN } from "@lotwatch/protocol/ids.js";
import { EVENTS_SUBSCRIPTION, STATUS_SUBSCRIPTION } from "@lotwatch/protocol/topics.js";
import {
  connect,
  ErrorWithReasonCode,
  ErrorWithSubackPacket,
  type IClientOptions,
  type MqttClient,
} from "mqtt";
import { createCommitTracker } from "../broker/commit-tracker.js";
import type { MessageHandler } from "../ingest/handle-message.js";
import { createLogger, type Logger } from "../logging/create-logger.js";

/** A week: how long the broker keeps the session, and queues for it, while the ingest is away. */
export const DEFAULT_SESSION_EXPIRY_SECONDS = 7 * 24 * 3600;

export interface ExternalConsumerOptions {
  /** `mqtt://host:port` or `mqtts://…`. */
  url: string;
  username?: string | undefined;
  password?: string | undefined;
  /** Fixed, so the broker finds the session again after a restart. */
  clientId: string;
  /** Subscribe as `$share/{group}/…`, so several ingests split the messages. */
  shareGroup?: string | undefined;
  handler: MessageHandler;
  /** Default: every gateway's events and status (`lotwatch/v1/+/+/events|status`). */
  topics?: readonly string[];
  sessionExpirySeconds?: number;
  /** How long start waits for the first connection. Default 15 s. */
  connectTimeoutMs?: number;
  reconnectPeriodMs?: number;
  logger?: Logger;
}

export interface ExternalConsumer {
  /** The broker URL without credentials, for logs and the ready file. */
  url: string;
  /** Stops taking messages, finishes running commits, then disconnects; the session stays. */
  close(): Promise<void>;
}

/**
 * Consumes gateway messages from an external broker (Mosquitto, EMQX) with a persistent MQTT 5
 * session, and acks each QoS 1 message only after its commit: mqtt.js sends the PUBACK when
 * `handleMessage` calls back, so a message whose commit failed stays unacked and the broker
 * redelivers it once the consumer reconnects. Messages are handled one at a time, in order.
 */
export async function startExternalConsumer(options: ExternalConsumerOptions): Promise<ExternalConsumer> {
  const logger = options.logger ?? createLogger("consumer");
  const url = redact(options.url);
  const topics = subscriptions(options);
  const commits = createCommitTracker();
  const clientOptions: IClientOptions = {
    clientId: options.clientId,
    protocolVersion: 5,
    clean: false,
    properties: { sessionExpiryInterval: options.sessionExpirySeconds ?? DEFAULT_SESSION_EXPIRY_SECONDS },
    reconnectPeriod: options.reconnectPeriodMs ?? 1000,
    reconnectOnConnackError: true,
    connectTimeout: options.connectTimeoutMs ?? 15_000,
    resubscribe: true,
  };
  if (options.username !== undefined) clientOptions.username = options.username;
  if (options.password !== undefined) clientOptions.password = options.password;
  const client = connect(options.url, clientOptions);
  let closing = false;

  client.handleMessage = (packet, callback) => {
    if (closing) {
      // Unacked, so the broker keeps it in the session for the next start.
      callback(new Error("the consumer is closing"));
      return;
    }
    const payload = typeof packet.payload === "string" ? Buffer.from(packet.payload) : packet.payload;
    commits.track(options.handler.handleMessage(packet.topic, payload)).then(
      () => callback(),
      (error: unknown) => {
        logger.error(
          { err: error, topic: packet.topic },
          "commit failed; not acking, reconnecting so the broker redelivers",
        );
        callback(error instanceof Error ? error : new Error(String(error)));
        client.stream.destroy();
      },
    );
  };
  // While the broker is down every reconnect fails the same way: log each message once per outage.
  const errorsLogged = new Set<string>();
  client.on("connect", (connack) => {
    errorsLogged.clear();
    logger.info(
      { url, clientId: options.clientId, sessionPresent: connack.sessionPresent },
      "connected to the broker",
    );
  });
  client.on("offline", () => {
    if (!closing) logger.warn({ url }, "broker connection lost; reconnecting");
  });
  client.on("error", (error) => {
    if (errorsLogged.has(error.message)) return;
    errorsLogged.add(error.message);
    logger.warn({ url, err: error }, "broker error");
  });

  try {
    await firstConnection(client, url, clientOptions.connectTimeout ?? 15_000);
    await client.subscribeAsync([...topics], { qos: 1 }).catch((error: unknown) => {
      // mqtt.js rejects a SUBACK that refuses any filter (granted 0x80 or an MQTT 5 reason code).
      if (!(error instanceof ErrorWithSubackPacket)) throw error;
      throw new ConfigError(
        "broker_subscription_refused",
        `${url} refused the subscription to ${topics.join(", ")}: check the broker's ACL for user ${options.username ?? "(anonymous)"}`,
        { cause: error },
      );
    });
    logger.info({ url, topics }, "subscribed; messages are acked after they are stored");
  } catch (error) {
    await client.endAsync(true);
    throw error;
  }

  let closed: Promise<void> | undefined;
  return {
    url,
    close() {
      closed ??= (async () => {
        closing = true;
        await commits.drain();
        await client.endAsync();
      })();
      return closed;
    },
  };
}

function subscriptions(options: ExternalConsumerOptions): string[] {
  const topics = options.topics ?? [EVENTS_SUBSCRIPTION, STATUS_SUBSCRIPTION];
  const group = options.shareGroup;
  if (group === undefined) return [...topics];
  if (!NAME_PATTERN.test(group)) {
    throw new ConfigError(
      "bad_share_group",
      `--share-group "${group}": use letters, digits, '.', '_' or '-' (no '/', '+' or '#')`,
    );
  }
  return topics.map((topic) => `$share/${group}/${topic}`);
}

/** Resolves on the first CONNACK; a refusal or no answer in time is an error naming the broker. */
function firstConnection(client: MqttClient, url: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(
        new LotwatchError(
          "broker_unreachable",
          `no connection to the broker ${url} within ${timeoutMs / 1000} s; check --broker and that the broker runs`,
        ),
      );
    }, timeoutMs);
    const onConnect = () => {
      cleanup();
      resolve();
    };
    const onError = (error: Error) => {
      // Socket errors are retried; a CONNACK refusal (bad credentials, not authorized) is not.
      if (!(error instanceof ErrorWithReasonCode)) return;
      cleanup();
      reject(
        new ConfigError("broker_refused", `the broker ${url} refused the connection: ${error.message}`, {
          cause: error,
        }),
      );
    };
    const cleanup = () => {
      clearTimeout(timer);
      client.off("connect", onConnect);
      client.off("error", onError);
    };
    client.on("connect", onConnect);
    client.on("error", onError);
  });
}

/** The URL without a password, for logs. */
function redact(raw: string): string {
  try {
    const parsed = new URL(raw);
    parsed.password = "";
    parsed.username = "";
    return parsed.toString().replace(/\/$/, "");
  } catch {
    throw new ConfigError("bad_broker_url", `--broker "${raw}" is not a URL like mqtt://host:1883`);
  }
}
