import { formatIssues } from "@lotwatch/protocol/issues.js";
import { GatewayStatusSchema } from "@lotwatch/protocol/status.js";
import { parseTopic, type TopicParts } from "@lotwatch/protocol/topics.js";
import { createLogger, type Logger } from "../logging/create-logger.js";
import type { Store } from "../store/store.js";
import { checkEnvelope } from "./check-envelope.js";
import { excerpt } from "./excerpt.js";

export const DEFAULT_MAX_PAYLOAD_BYTES = 1024 * 1024;

export interface MessageHandlerOptions {
  store: Store;
  /** Larger payloads are rejected unparsed. Default 1 MiB. */
  maxPayloadBytes?: number;
  now?: () => number;
  logger?: Logger;
}

export interface HandleResult {
  kind: "events" | "status" | "rejected" | "ignored";
  inserted: number;
  duplicates: number;
  unknownSource: number;
  rejected: number;
}

export interface MessageHandler {
  /**
   * Commits one MQTT message. Resolves once everything it produced (events, rejections, status)
   * is stored; rejects only when storing failed, so the sender must resend.
   */
  handleMessage(topic: string, payload: Buffer): Promise<HandleResult>;
}

const NOTHING = { inserted: 0, duplicates: 0, unknownSource: 0, rejected: 0 };

export function createMessageHandler(options: MessageHandlerOptions): MessageHandler {
  const { store } = options;
  const maxPayloadBytes = options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
  const now = options.now ?? Date.now;
  const logger = options.logger ?? createLogger("ingest");

  const reject = async (
    topic: string,
    parts: TopicParts | null,
    reason: string,
    payload: Buffer,
    receivedAt: number,
  ): Promise<HandleResult> => {
    logger.warn({ topic, reason }, "message rejected");
    await store.recordRejected(
      [{ gateway: parts?.gateway ?? null, topic, eventIndex: null, reason, excerpt: excerpt(payload) }],
      receivedAt,
    );
    return { kind: "rejected", ...NOTHING, rejected: 1 };
  };

  const handleEvents = async (
    topic: string,
    parts: TopicParts,
    raw: unknown,
    payload: Buffer,
    at: number,
  ) => {
    const check = checkEnvelope(raw, parts);
    if (!check.ok) return reject(topic, parts, check.reason, payload, at);
    const rejections = check.rejections.map((r) => ({ gateway: parts.gateway, topic, ...r }));
    for (const r of rejections) logger.warn({ topic, reason: r.reason }, "event rejected");
    const result = await store.insertBatch(parts.gateway, check.events, at, rejections, check.clock);
    logger.debug({ topic, ...result }, "envelope stored");
    return { kind: "events" as const, ...result };
  };

  const handleStatus = async (
    topic: string,
    parts: TopicParts,
    raw: unknown,
    payload: Buffer,
    at: number,
  ) => {
    const parsed = GatewayStatusSchema.safeParse(raw);
    if (!parsed.success) return reject(topic, parts, formatIssues(parsed.error), payload, at);
    const status = parsed.data;
    if (status.gateway !== parts.gateway || status.site !== parts.site) {
      const reason = `status for ${status.site}/${status.gateway} on the topic of ${parts.site}/${parts.gateway}`;
      return reject(topic, parts, reason, payload, at);
    }
    await store.recordGatewayStatus(status, at);
    return { kind: "status" as const, ...NOTHING };
  };

  return {
    async handleMessage(topic, payload) {
      const receivedAt = now();
      const parts = parseTopic(topic);
      if (parts === null) {
        return reject(
          topic,
          null,
          "topic is not lotwatch/v1/{site}/{gateway}/events|status",
          payload,
          receivedAt,
        );
      }
      // An empty retained message clears the retained status; there is nothing to store.
      if (parts.kind === "status" && payload.length === 0) return { kind: "ignored", ...NOTHING };
      if (payload.length > maxPayloadBytes) {
        const reason = `payload is ${payload.length} bytes, over the ${maxPayloadBytes}-byte limit`;
        return reject(topic, parts, reason, payload, receivedAt);
      }
      let raw: unknown;
      try {
        raw = JSON.parse(payload.toString("utf8"));
      } catch (error) {
        return reject(topic, parts, `not JSON: ${(error as Error).message}`, payload, receivedAt);
      }
      return parts.kind === "events"
        ? handleEvents(topic, parts, raw, payload, receivedAt)
        : handleStatus(topic, parts, raw, payload, receivedAt);
    },
  };
}
