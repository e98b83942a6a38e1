import { LotwatchError } from "@lotwatch/protocol/errors.js";
import type Database from "better-sqlite3";
import type { PendingEvent, SeqRange } from "./types.js";
import { type StoredEvent, toWireJson } from "./wire-event.js";

/** The `pending` table: one row per event not yet acknowledged by the broker. */
export interface PendingRows {
  /** Inserts an event stamped by this boot; returns its seq. */
  insert(event: StoredEvent, acceptedAt: Date): number;
  /**
   * Inserts events stamped by this boot, in order, inside the caller's transaction; they get
   * consecutive seqs, and the first one is returned.
   */
  insertAll(rows: ReadonlyArray<{ event: StoredEvent; acceptedAt: number }>): number;
  /** Ready-to-send events with seq > afterSeq, bounded by count and total JSON bytes (at least one). */
  peek(afterSeq: number, maxEvents: number, maxBytes: number): PendingEvent[];
  /** Deletes a range; returns how many rows were there. */
  delete(range: SeqRange): number;
  /** accept time (ms) of the lowest seq, or undefined when empty. */
  oldestAcceptedAt(): number | undefined;
  count(): number;
}

const INSERT_SQL = "INSERT INTO pending (id, type, occurred_at, accepted_at, boot_id, body) VALUES ";
const ROW_PARAMS = "(?, ?, ?, ?, ?, ?)";
/**
 * Rows per multi-row INSERT, largest first: one statement step for many rows costs much less than
 * a step per row (the per-row INSERT was the accept path's largest cost).
 */
const CHUNK_SIZES = [64, 8, 1];

export function createPendingRows(db: Database.Database, bootId: string): PendingRows {
  const insert = db.prepare(`${INSERT_SQL}${ROW_PARAMS}`);
  const insertChunk = new Map(
    CHUNK_SIZES.map((size) => [size, db.prepare(`${INSERT_SQL}${Array(size).fill(ROW_PARAMS).join(", ")}`)]),
  );
  // Rows as arrays, not objects: a drain reads hundreds of thousands of them.
  const selectAfter = db
    .prepare("SELECT seq, boot_id, body FROM pending WHERE seq > ? ORDER BY seq LIMIT ?")
    .raw();
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
    insertAll(rows) {
      let firstSeq = 0;
      let inserted = 0;
      for (const size of CHUNK_SIZES) {
        const statement = insertChunk.get(size) as Database.Statement;
        const params: unknown[] = new Array(size * 6);
        for (; rows.length - inserted >= size; inserted += size) {
          for (let i = 0; i < size; i++) {
            const { event, acceptedAt } = rows[inserted + i] as (typeof rows)[number];
            params[i * 6] = event.id;
            params[i * 6 + 1] = event.type;
            params[i * 6 + 2] = event.occurredAt;
            params[i * 6 + 3] = acceptedAt;
            params[i * 6 + 4] = bootId;
            params[i * 6 + 5] = event.body;
          }
          const lastSeq = Number(statement.run(params).lastInsertRowid);
          if (firstSeq === 0) firstSeq = lastSeq - size + 1;
          // AUTOINCREMENT gives each row the next seq; anything else would break the accept's range.
          if (lastSeq !== firstSeq + inserted + size - 1) {
            throw new LotwatchError(
              "BUFFER_SEQ_GAP",
              `rows inserted together got seq ${lastSeq}, expected ${firstSeq + inserted + size - 1}`,
            );
          }
        }
      }
      return firstSeq;
    },
    peek(afterSeq, maxEvents, maxBytes) {
      const rows = selectAfter.all(afterSeq, maxEvents) as Array<[seq: number, bootId: string, body: string]>;
      const events: PendingEvent[] = [];
      let bytes = 0;
      for (const [seq, stampedBy, body] of rows) {
        const json = toWireJson(seq, body, stampedBy, bootId);
        bytes += Buffer.byteLength(json) + 1;
        if (events.length > 0 && bytes > maxBytes) break;
        events.push({ seq, json });
      }
      return events;
    },
    delete: (range) => deleteRange.run(range.fromSeq, range.toSeq).changes,
    oldestAcceptedAt: () => selectOldest.get() as number | undefined,
    count: () => selectCount.get() as number,
  };
}
