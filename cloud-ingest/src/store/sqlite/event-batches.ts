import type { LotwatchEvent } from "@lotwatch/protocol/events.js";
import type Database from "better-sqlite3";
import { eventFrom } from "./event-body.js";

/**
 * One stored event, as an entry of its batch's `body` (a JSON array of these, ascending by seq):
 * seq, id, type, site, occurredAt (ms), count time t (ms), 1 when from an unknown source, and the
 * rest of the event (event-body.ts `slimRest`).
 */
export type StoredEntry = [
  seq: number,
  id: string,
  type: string,
  site: string,
  occurredAt: number,
  t: number,
  unknownSource: 0 | 1,
  rest: Record<string, unknown>,
];

/**
 * A batch row holds seqs less than this far apart, so the rows that may hold seqs in [from, to] are
 * those whose last seq is in [from, to + SEQ_SPAN): one bounded index range. A batch newer than all
 * stored (the usual case) finds that range empty with one seek, instead of a lookup per event.
 */
export const SEQ_SPAN = 4_096;

/** A stored entry and the batch row it sits in. */
export interface LocatedEntry {
  batch: number;
  receivedAt: number;
  entry: StoredEntry;
}

/** A gateway's stored events, one row per batch of them (migration 13, issue 5). */
export interface EventBatches {
  /** The ids of those of the gateway's seqs in [from, to] that are stored (usually none). */
  storedIds(gateway: string, from: number, to: number): Map<number, string>;
  /** Stores new events of the gateway, received together, in rows of at most SEQ_SPAN seqs. */
  append(gateway: string, entries: StoredEntry[], receivedAt: number): void;
  get(gateway: string, seq: number): LocatedEntry | null;
  /** The gateway's stored events in [from, to], ascending by seq, at most `limit` of them. */
  range(gateway: string, from: number, to: number, limit: number): LocatedEntry[];
  /** How many of the gateway's stored events in [from, to] pass `counted`. */
  count(gateway: string, from: number, to: number, counted: (entry: StoredEntry) => boolean): number;
  /** Gives stored events a new count time (their gateway's clock was re-measured). */
  retime(moves: ReadonlyArray<{ located: LocatedEntry; t: number }>): void;
  totals(): { events: number; unknownSource: number };
}

interface BatchRow {
  id: number;
  to_seq: number;
  received_at: number;
  body: string;
}

export function createEventBatches(db: Database.Database): EventBatches {
  const near = "gateway = ? AND to_seq >= ? AND to_seq < ? AND from_seq <= ?";
  const statements = {
    overlapping: db.prepare(
      `SELECT id, to_seq, received_at, body FROM event_batches WHERE ${near} ORDER BY to_seq`,
    ),
    insert: db.prepare(`
      INSERT INTO event_batches (gateway, from_seq, to_seq, received_at, events, unknown_source, body)
      VALUES (?, ?, ?, ?, ?, ?, ?)`),
    body: db.prepare("SELECT body FROM event_batches WHERE id = ?").pluck(),
    setBody: db.prepare("UPDATE event_batches SET body = ? WHERE id = ?"),
    totals: db.prepare(`
      SELECT COALESCE(SUM(events), 0) AS events, COALESCE(SUM(unknown_source), 0) AS unknownSource
      FROM event_batches`),
  };
  /** Rows that may hold seqs in [from, to], by their last seq. */
  const overlapping = (gateway: string, from: number, to: number) =>
    statements.overlapping.iterate(gateway, from, to + SEQ_SPAN, to) as IterableIterator<BatchRow>;

  const insertRow = (gateway: string, entries: StoredEntry[], receivedAt: number) => {
    let unknown = 0;
    for (const entry of entries) unknown += entry[6];
    statements.insert.run(
      gateway,
      (entries[0] as StoredEntry)[0],
      (entries.at(-1) as StoredEntry)[0],
      receivedAt,
      entries.length,
      unknown,
      JSON.stringify(entries),
    );
  };

  return {
    storedIds(gateway, from, to) {
      const ids = new Map<number, string>();
      for (const row of overlapping(gateway, from, to)) {
        for (const entry of JSON.parse(row.body) as StoredEntry[]) {
          if (entry[0] >= from && entry[0] <= to) ids.set(entry[0], entry[1]);
        }
      }
      return ids;
    },
    append(gateway, entries, receivedAt) {
      if (entries.length === 0) return;
      // An agent sends its seqs in order; anything else sorts here.
      let sorted = true;
      for (let i = 1; i < entries.length && sorted; i++) {
        sorted = (entries[i - 1] as StoredEntry)[0] < (entries[i] as StoredEntry)[0];
      }
      if (!sorted) entries.sort((a, b) => a[0] - b[0]);
      let start = 0;
      for (let i = 1; i <= entries.length; i++) {
        const entry = entries[i];
        if (entry === undefined || entry[0] - (entries[start] as StoredEntry)[0] >= SEQ_SPAN) {
          insertRow(
            gateway,
            start === 0 && i === entries.length ? entries : entries.slice(start, i),
            receivedAt,
          );
          start = i;
        }
      }
    },
    get(gateway, seq) {
      for (const row of overlapping(gateway, seq, seq)) {
        const entry = (JSON.parse(row.body) as StoredEntry[]).find((stored) => stored[0] === seq);
        if (entry !== undefined) return { batch: row.id, receivedAt: row.received_at, entry };
      }
      return null;
    },
    range(gateway, from, to, limit) {
      if (limit <= 0) return [];
      const found: LocatedEntry[] = [];
      const bySeq = (a: LocatedEntry, b: LocatedEntry) => a.entry[0] - b.entry[0];
      for (const row of overlapping(gateway, from, to)) {
        // Rows come by last seq, and hold none below it minus SEQ_SPAN: once `limit` are found below
        // that, no later row has one that would be among them.
        if (found.length >= limit) {
          found.sort(bySeq).length = limit;
          if (row.to_seq - SEQ_SPAN >= (found[limit - 1] as LocatedEntry).entry[0]) break;
        }
        for (const entry of JSON.parse(row.body) as StoredEntry[]) {
          if (entry[0] >= from && entry[0] <= to) {
            found.push({ batch: row.id, receivedAt: row.received_at, entry });
          }
        }
      }
      return found.sort(bySeq).slice(0, limit);
    },
    count(gateway, from, to, counted) {
      let n = 0;
      for (const row of overlapping(gateway, from, to)) {
        for (const entry of JSON.parse(row.body) as StoredEntry[]) {
          if (entry[0] >= from && entry[0] <= to && counted(entry)) n++;
        }
      }
      return n;
    },
    retime(moves) {
      const byBatch = new Map<number, Map<number, number>>();
      for (const { located, t } of moves) {
        const times = byBatch.get(located.batch) ?? new Map<number, number>();
        times.set(located.entry[0], t);
        byBatch.set(located.batch, times);
      }
      for (const [batch, times] of byBatch) {
        const entries = JSON.parse(statements.body.get(batch) as string) as StoredEntry[];
        for (const entry of entries) entry[5] = times.get(entry[0]) ?? entry[5];
        statements.setBody.run(JSON.stringify(entries), batch);
      }
    },
    totals() {
      return statements.totals.get() as { events: number; unknownSource: number };
    },
  };
}

/** The event a stored entry holds, as it was received. */
export function eventOf(entry: StoredEntry): LotwatchEvent {
  const [seq, id, type, site, occurredAt, , , rest] = entry;
  return eventFrom({ seq, id, type, site, occurred_at: occurredAt }, rest);
}
