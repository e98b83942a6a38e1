import { EnvelopeHeaderSchema } from "@lotwatch/protocol/envelope.js";
import { EventSchema, type LotwatchEvent } from "@lotwatch/protocol/events.js";
import { formatIssues } from "@lotwatch/protocol/issues.js";
import type { TopicParts } from "@lotwatch/protocol/topics.js";
import type { EnvelopeClock } from "../clock/anchor.js";
import { excerpt } from "./excerpt.js";

export interface EventRejection {
  eventIndex: number;
  reason: string;
  excerpt: string;
}

export type EnvelopeCheck =
  | { ok: false; reason: string }
  | { ok: true; events: LotwatchEvent[]; rejections: EventRejection[]; clock: EnvelopeClock };

/**
 * Splits a parsed envelope into the events to store and the ones to reject. A bad header refuses
 * the whole envelope; a bad event refuses only itself, so one typo does not cost a batch.
 */
export function checkEnvelope(raw: unknown, topic: TopicParts): EnvelopeCheck {
  const header = EnvelopeHeaderSchema.safeParse(raw);
  if (!header.success) return { ok: false, reason: formatIssues(header.error) };
  if (header.data.gateway !== topic.gateway) {
    return {
      ok: false,
      reason: `gateway: "${header.data.gateway}" does not match the topic's gateway "${topic.gateway}"`,
    };
  }
  const events: LotwatchEvent[] = [];
  const rejections: EventRejection[] = [];
  header.data.events.forEach((candidate, i) => {
    const prefix = `events[${i}]`;
    const reject = (reason: string) =>
      rejections.push({ eventIndex: i, reason, excerpt: excerpt(JSON.stringify(candidate) ?? "") });
    const parsed = EventSchema.safeParse(candidate);
    if (!parsed.success) reject(formatIssues(parsed.error, prefix));
    else if (parsed.data.site !== topic.site) {
      reject(`${prefix}.site: "${parsed.data.site}" does not match the topic's site "${topic.site}"`);
    } else events.push(parsed.data);
  });
  const { bootId, sentAt, uptimeMs } = header.data;
  return { ok: true, events, rejections, clock: { bootId, sentAt: Date.parse(sentAt), uptimeMs } };
}
