import type Database from "better-sqlite3";
import type { PendingEvent, SeqRange } from "./types.js";
import { type StoredEvent, toWireJson } from "./wire-event.js";

/** The `pending` table: one row per event not yet acknowledged by the broker. */
export interface PendingRows {
  /** Inserts an event stamped by this boot; returns its seq. */
  insert(event: StoredEvent, acceptedAt: Date): number;
  /** Ready-to-send events with seq > afterSeq, bounded by count and total JSON bytes (at least one). */
  peek(afterSeq: number, maxEvents: number, maxBytes: number): PendingEvent[];
  /** Deletes a range; returns how many rows were there. */
  delete(range: SeqRange): number;
  /** accept time (ms) of the lowest seq, or undefined when empty. */
  oldestAcceptedAt(): number | undefined;
  count(): number;
}

export function createPendingRows(db: Database.Database, bootId: string): PendingRows {
  const insert = db.prepare(
    "INSERT INTO pending (id, type, occurred_at, accepted_at, boot_id, body) VALUES (?, ?, ?, ?, ?, ?)",
  );
  const selectAfter = db.prepare("SELECT seq, boot_id, body FROM pending WHERE seq > ? ORDER BY seq LIMIT ?");
  const deleteRange = db.prepare("DELETE FROM pending WHERE seq BETWEEN ? AND ?");
  const selectOldest = db.prepare("SELECT accepted_at FROM pending ORDER BY seq LIMIT 1").pluck();
  const selectCount = db.prepare("SELECT count(*) FROM pending").pluck();

  return {
    insert(event, acceptedAt) {
      const { lastInsertRowid } = insert.run(
        event.id,
        event.type,
        event.occurredAt,
        acceptedAt.getTime(),
        bootId,
        event.body,
      );
      return Number(lastInsertRowid);
    },
    peek(afterSeq, maxEvents, maxBytes) {
      const rows = selectAfter.all(afterSeq, maxEvents) as Array<{
        seq: number;
        boot_id: string;
        body: string;
      }>;
      const events: PendingEvent[] = [];
      let bytes = 0;
      for (const row of rows) {
        const json = toWireJson(row.seq, row.body, row.boot_id, bootId);
        bytes += Buffer.byteLength(json) + 1;
        if (events.length > 0 && bytes > maxBytes) break;
        events.push({ seq: row.seq, json });
      }
      return events;
    },
    delete: (range) => deleteRange.run(range.fromSeq, range.toSeq).changes,
    oldestAcceptedAt: () => selectOldest.get() as number | undefined,
    count: () => selectCount.get() as number,
  };
}
