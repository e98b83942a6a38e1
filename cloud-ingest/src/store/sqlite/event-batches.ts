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
  /** The stored ones among these seqs of the gateway, with their ids (usually none). */
  storedIds(gateway: string, seqs: readonly number[]): Map<number, string>;
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

/** A batch row's key columns: the body is read only from rows that hold a wanted seq. */
interface BatchRow {
  id: number;
  from_seq: number;
  to_seq: number;
  received_at: number;
}

export function createEventBatches(db: Database.Database): EventBatches {
  const statements = {
    near: db.prepare(`
      SELECT id, from_seq, to_seq, received_at FROM event_batches
      WHERE gateway = ? AND to_seq >= ? AND to_seq < ? AND from_seq <= ? ORDER BY to_seq`),
    insert: db.prepare(`
      INSERT INTO event_batches (gateway, from_seq, to_seq, received_at, events, unknown_source, body)
      VALUES (?, ?, ?, ?, ?, ?, ?)`),
    body: db.prepare("SELECT body FROM event_batches WHERE id = ?").pluck(),
    setBody: db.prepare("UPDATE event_batches SET body = ? WHERE id = ?"),
    totals: db.prepare(`
      SELECT COALESCE(SUM(events), 0) AS events, COALESCE(SUM(unknown_source), 0) AS unknownSource
      FROM event_batches`),
  };
  /** Rows whose seq range meets [from, to], by their last seq; one index range, no bodies. */
  const near = (gateway: string, from: number, to: number) =>
    statements.near.all(gateway, from, to + SEQ_SPAN, to) as BatchRow[];
  const entriesOf = (row: BatchRow) => JSON.parse(statements.body.get(row.id) as string) as StoredEntry[];
  const entriesIn = (row: BatchRow, from: number, to: number) =>
    entriesOf(row).filter((entry) => entry[0] >= from && entry[0] <= to);

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
    storedIds(gateway, seqs) {
      const ids = new Map<number, string>();
      if (seqs.length === 0) return ids;
      const sorted = [...seqs].sort((a, b) => a - b);
      let wanted: Set<number> | undefined;
      // Runs of seqs less than SEQ_SPAN apart, each one index range: an envelope whose seqs lie far
      // apart must not read every row between them.
      let from = sorted[0] as number;
      for (let i = 1; i <= sorted.length; i++) {
        const seq = sorted[i];
        const previous = sorted[i - 1] as number;
        if (seq !== undefined && seq - previous < SEQ_SPAN) continue;
        for (const row of near(gateway, from, previous)) {
          if (!anyWithin(sorted, row.from_seq, row.to_seq)) continue;
          wanted ??= new Set(sorted);
          for (const entry of entriesOf(row)) if (wanted.has(entry[0])) ids.set(entry[0], entry[1]);
        }
        if (seq !== undefined) from = seq;
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
      for (const row of near(gateway, seq, seq)) {
        const [entry] = entriesIn(row, seq, seq);
        if (entry !== undefined) return { batch: row.id, receivedAt: row.received_at, entry };
      }
      return null;
    },
    range(gateway, from, to, limit) {
      if (limit <= 0) return [];
      const found: LocatedEntry[] = [];
      const bySeq = (a: LocatedEntry, b: LocatedEntry) => a.entry[0] - b.entry[0];
      for (const row of near(gateway, from, to)) {
        // Rows come by last seq, so a later row starts no lower than this one's first: once
        // `limit` are found below that, no later row holds one that would be among them.
        if (found.length >= limit) {
          found.sort(bySeq).length = limit;
          if (row.to_seq - SEQ_SPAN >= (found[limit - 1] as LocatedEntry).entry[0]) break;
        }
        for (const entry of entriesIn(row, from, to)) {
          found.push({ batch: row.id, receivedAt: row.received_at, entry });
        }
      }
      return found.sort(bySeq).slice(0, limit);
    },
    count(gateway, from, to, counted) {
      let n = 0;
      for (const row of near(gateway, from, to)) {
        for (const entry of entriesIn(row, from, to)) if (counted(entry)) n++;
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

/** Whether the ascending `seqs` hold one in [from, to] (binary search). */
function anyWithin(seqs: readonly number[], from: number, to: number): boolean {
  let low = 0;
  let high = seqs.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((seqs[middle] as number) < from) low = middle + 1;
    else high = middle;
  }
  return low < seqs.length && (seqs[low] as number) <= to;
}

/** The event a stored entry holds, as it was received. */
export function eventOf(entry: StoredEntry): LotwatchEvent {
  const [seq, id, type, site, occurredAt, , , rest] = entry;
  return eventFrom({ seq, id, type, site, occurred_at: occurredAt }, rest);
}
