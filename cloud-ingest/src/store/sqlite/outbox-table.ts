import type Database from "better-sqlite3";
import type { SummaryBody, SummaryRecord } from "../../summaries/summary-record.js";

export interface OutboxTable {
  /** Appends a record (inside the caller's transaction) and returns its id. */
  append(body: SummaryBody, recordedAt: number): number;
  read(sink: string, limit: number): SummaryRecord[];
  markDelivered(sink: string, throughRecordId: number, now: number): void;
  /** See SummaryOutbox.pruneOutbox. */
  prune(sinks: readonly string[], recordedBefore: number, limit: number): number;
}

export function createOutboxTable(db: Database.Database): OutboxTable {
  const insert = db.prepare("INSERT INTO outbox (session_id, recorded_at, body) VALUES (?, ?, ?)");
  const read = db.prepare(`
    SELECT record_id, body FROM outbox
    WHERE record_id > COALESCE((SELECT delivered_through FROM outbox_cursors WHERE sink = ?), 0)
    ORDER BY record_id LIMIT ?`);
  const mark = db.prepare(`
    INSERT INTO outbox_cursors (sink, delivered_through, updated_at) VALUES (?, ?, ?)
    ON CONFLICT (sink) DO UPDATE SET
      delivered_through = MAX(delivered_through, excluded.delivered_through),
      updated_at = excluded.updated_at`);
  const cursor = db.prepare("SELECT delivered_through FROM outbox_cursors WHERE sink = ?").pluck();
  // AUTOINCREMENT (migration 2): deleting the newest records never hands their ids out again.
  const deleteOld = db.prepare(`
    DELETE FROM outbox WHERE record_id IN (
      SELECT record_id FROM outbox WHERE record_id <= ? AND recorded_at < ? ORDER BY record_id LIMIT ?)`);
  const prune = db.transaction(
    (through: number, recordedBefore: number, limit: number) =>
      deleteOld.run(through, recordedBefore, limit).changes,
  );
  return {
    append(body, recordedAt) {
      return Number(insert.run(body.sessionId, recordedAt, JSON.stringify(body)).lastInsertRowid);
    },
    read(sink, limit) {
      const rows = read.all(sink, limit) as { record_id: number; body: string }[];
      return rows.map((row) => ({ recordId: row.record_id, ...(JSON.parse(row.body) as SummaryBody) }));
    },
    markDelivered(sink, throughRecordId, now) {
      mark.run(sink, throughRecordId, now);
    },
    prune(sinks, recordedBefore, limit) {
      let through = Number.MAX_SAFE_INTEGER;
      for (const sink of sinks) through = Math.min(through, (cursor.get(sink) as number | undefined) ?? 0);
      // IMMEDIATE, as in group-commit.ts.
      return through === 0 ? 0 : prune.immediate(through, recordedBefore, limit);
    },
  };
}
