import type { Reading } from "@lotwatch/protocol/events.js";
import { newEventId } from "@lotwatch/protocol/ids.js";

export interface StampContext {
  site: string;
  /** Milliseconds since this process started, at reception. */
  uptimeMs: number;
  /** Reception time, stamped as occurredAt when the reading has none. */
  receivedAt: Date;
  /** The gateway clock's state at reception: only `false` (known unsynchronized) goes on the wire. */
  clockSynced?: boolean;
}

export interface StoredEvent {
  id: string;
  type: string;
  occurredAt: string;
  /** The event's JSON without `seq` and `bootId`, both spliced in when sending. */
  body: string;
  /** `body`'s size in UTF-8, as SQLite stores it. */
  bodyBytes: number;
}

/** Why the agent dropped readings; the `reason` of a `gateway.gap` event. */
export type DropReason = "buffer-cap-bytes" | "buffer-cap-age" | "disk-full";

/**
 * One accept's readings as the events stored in the buffer: id, site and occurredAt added. They
 * share one reception time, formatted once (a third of a microsecond a reading, issue 3).
 * `uptimeMs` and `clockSynced` describe the gateway's clock at stamping, so they go only on
 * readings the gateway stamped: a device's own `occurredAt` was not read from that clock, and the
 * ingest must not correct it as if it were.
 */
export function toStoredEvents(readings: readonly Reading[], context: StampContext): StoredEvent[] {
  const receivedAt = context.receivedAt.toISOString();
  const siteOnly = { site: context.site };
  return readings.map((reading) =>
    reading.occurredAt === undefined
      ? stored(reading.type, receivedAt, context, reading)
      : stored(reading.type, reading.occurredAt, siteOnly, reading),
  );
}

/** The `gateway.gap` event that reports dropped seqs fromSeq..toSeq. */
export function toGapEvent(
  range: { fromSeq: number; toSeq: number },
  reason: DropReason,
  context: StampContext,
): StoredEvent {
  const fields = { fromSeq: range.fromSeq, toSeq: range.toSeq, reason };
  return stored("gateway.gap", context.receivedAt.toISOString(), context, fields);
}

/**
 * Written by hand rather than JSON.stringify of a merged object: this runs once per reading, and
 * the object rest and whole-object stringify were a quarter of the accept path's time. `fields`
 * keys come from the schemas (plain identifiers); its `type` and `occurredAt` are already in the head.
 */
function stored(
  type: string,
  occurredAt: string,
  context: Pick<StampContext, "site"> | StampContext,
  fields: object,
): StoredEvent {
  const id = newEventId();
  let body =
    `{"id":"${id}","type":${JSON.stringify(type)},"site":${JSON.stringify(context.site)},` +
    `"occurredAt":${JSON.stringify(occurredAt)}` +
    ("uptimeMs" in context ? `,"uptimeMs":${context.uptimeMs}` : "") +
    ("clockSynced" in context && context.clockSynced === false ? `,"clockSynced":false` : "");
  for (const key in fields) {
    const value = (fields as Record<string, unknown>)[key];
    // JSON.stringify leaves out undefined members, and so does this.
    if (key === "type" || key === "occurredAt" || value === undefined) continue;
    body += `,"${key}":${JSON.stringify(value)}`;
  }
  const json = `${body}}`;
  // Measuring the UTF-8 size also flattens the concatenated string: a row queued for its commit
  // then costs the young-generation GC one object to copy, not a rope of a dozen (a third more
  // readings/s under the 1 MB semi-space the agent runs with, issue 3).
  return { id, type, occurredAt, body: json, bodyBytes: Buffer.byteLength(json) };
}

/**
 * The wire event, by splicing `seq` (and the stamping boot's id when it is not the sender's) into
 * the stored JSON, so sending never re-serialises an event.
 */
export function toWireJson(seq: number, body: string, stampedBootId: string, currentBootId: string): string {
  const boot = stampedBootId === currentBootId ? "" : `"bootId":${JSON.stringify(stampedBootId)},`;
  return `{"seq":${seq},${boot}${body.slice(1)}`;
}
