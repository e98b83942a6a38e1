import type { SummaryBody, SummaryRecord } from "../../summaries/summary-record.js";
import { one, query, run, type Sql } from "./sql.js";

/**
 * The summary outbox. Sinks read past a cursor of record ids, so ids must become visible in id
 * order: with two writers, a record committed after a higher id was read would be skipped. Appends
 * therefore take one transaction-level lock, as the last step before COMMIT, which makes commit
 * order id order while holding the lock only for the appends and the commit.
 */
export interface PgOutboxTable {
  /** Takes the outbox lock (held to the end of the caller's transaction). */
  lock(sql: Sql): Promise<void>;
  append(sql: Sql, body: SummaryBody, recordedAt: number): Promise<number>;
  read(sql: Sql, sink: string, limit: number): Promise<SummaryRecord[]>;
  markDelivered(sql: Sql, sink: string, throughRecordId: number, now: number): Promise<void>;
  /** See SummaryOutbox.pruneOutbox. */
  prune(sql: Sql, sinks: readonly string[], recordedBefore: number, limit: number): Promise<number>;
}

const OUTBOX_LOCK = 0x6c6f746f;
const INSERT = "INSERT INTO outbox (session_id, recorded_at, body) VALUES ($1, $2, $3) RETURNING record_id";
const READ = `
  SELECT record_id, body FROM outbox
  WHERE record_id > COALESCE((SELECT delivered_through FROM outbox_cursors WHERE sink = $1), 0)
  ORDER BY record_id LIMIT $2`;
const MARK = `
  INSERT INTO outbox_cursors (sink, delivered_through, updated_at) VALUES ($1, $2, $3)
  ON CONFLICT (sink) DO UPDATE SET
    delivered_through = GREATEST(outbox_cursors.delivered_through, excluded.delivered_through),
    updated_at = excluded.updated_at`;

const CURSOR = "SELECT delivered_through FROM outbox_cursors WHERE sink = $1";
// Ids come from a sequence: deleting the newest records never hands their ids out again.
const PRUNE = `
  DELETE FROM outbox WHERE record_id IN (
    SELECT record_id FROM outbox WHERE record_id <= $1 AND recorded_at < $2 ORDER BY record_id LIMIT $3)`;

export function createPgOutboxTable(): PgOutboxTable {
  return {
    async lock(sql) {
      await run(sql, "SELECT pg_advisory_xact_lock($1)", [OUTBOX_LOCK]);
    },
    async append(sql, body, recordedAt) {
      const row = await one<{ record_id: number }>(sql, INSERT, [
        body.sessionId,
        recordedAt,
        JSON.stringify(body),
      ]);
      return (row as { record_id: number }).record_id;
    },
    async read(sql, sink, limit) {
      const rows = await query<{ record_id: number; body: string }>(sql, READ, [sink, limit]);
      return rows.map((row) => ({ recordId: row.record_id, ...(JSON.parse(row.body) as SummaryBody) }));
    },
    async markDelivered(sql, sink, throughRecordId, now) {
      await run(sql, MARK, [sink, throughRecordId, now]);
    },
    async prune(sql, sinks, recordedBefore, limit) {
      let through = Number.MAX_SAFE_INTEGER;
      for (const sink of sinks) {
        const row = await one<{ delivered_through: number }>(sql, CURSOR, [sink]);
        through = Math.min(through, row?.delivered_through ?? 0);
      }
      if (through === 0) return 0;
      return run(sql, PRUNE, [through, recordedBefore, limit]);
    },
  };
}
