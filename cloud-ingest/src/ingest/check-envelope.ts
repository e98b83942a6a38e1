import { EnvelopeHeaderSchema } from "@lotwatch/protocol/envelope.js";
import { EventSchema, type LotwatchEvent } from "@lotwatch/protocol/events.js";
import { formatIssues } from "@lotwatch/protocol/issues.js";
import type { TopicParts } from "@lotwatch/protocol/topics.js";
import type { EnvelopeClock } from "../clock/anchor.js";
import { excerpt } from "./excerpt.js";
import { plainEvent } from "./plain-event.js";

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
    const checked = checkEvent(candidate, i, topic);
    if (typeof checked !== "string") events.push(checked);
    else
      rejections.push({ eventIndex: i, reason: checked, excerpt: excerpt(JSON.stringify(candidate) ?? "") });
  });
  const { bootId, sentAt, uptimeMs } = header.data;
  return { ok: true, events, rejections, clock: { bootId, sentAt: Date.parse(sentAt), uptimeMs } };
}

/** The event, or why it is refused. */
function checkEvent(candidate: unknown, i: number, topic: TopicParts): LotwatchEvent | string {
  let event = plainEvent(candidate);
  if (event === undefined) {
    const parsed = EventSchema.safeParse(candidate);
    if (!parsed.success) return formatIssues(parsed.error, `events[${i}]`);
    event = parsed.data;
  }
  if (event.site === topic.site) return event;
  return `events[${i}].site: "${event.site}" does not match the topic's site "${topic.site}"`;
}
