import type { Reading } from "@lotwatch/protocol/events.js";
import { newEventId } from "@lotwatch/protocol/ids.js";

export interface StampContext {
  site: string;
  /** Milliseconds since this process started, at reception. */
  uptimeMs: number;
  /** Reception time, stamped as occurredAt when the reading has none. */
  receivedAt: Date;
}

export interface StoredEvent {
  id: string;
  type: string;
  occurredAt: string;
  /** The event's JSON without `seq` and `bootId`, both spliced in when sending. */
  body: string;
}

/** A reading as the event stored in the buffer: id, site, occurredAt and uptime added. */
export function toStoredEvent(reading: Reading, context: StampContext): StoredEvent {
  const { type, occurredAt: given, ...fields } = reading;
  const id = newEventId();
  const occurredAt = given ?? context.receivedAt.toISOString();
  const body = JSON.stringify({
    id,
    type,
    site: context.site,
    occurredAt,
    uptimeMs: context.uptimeMs,
    ...fields,
  });
  return { id, type, occurredAt, body };
}

/**
 * The wire event, by splicing `seq` (and the stamping boot's id when it is not the sender's) into
 * the stored JSON, so sending never re-serialises an event.
 */
export function toWireJson(seq: number, body: string, stampedBootId: string, currentBootId: string): string {
  const boot = stampedBootId === currentBootId ? "" : `"bootId":${JSON.stringify(stampedBootId)},`;
  return `{"seq":${seq},${boot}${body.slice(1)}`;
}
