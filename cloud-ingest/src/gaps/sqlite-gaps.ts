import type { LotwatchEvent } from "@lotwatch/protocol/events.js";
import type Database from "better-sqlite3";
import type { EventBatches } from "../store/sqlite/event-batches.js";
import type { GapPage, GapRecord, GatewayGaps } from "./gap-report.js";

export interface SqliteGaps {
  /** Notes a gap event just stored (inside the batch's transaction). */
  record(gateway: string, event: LotwatchEvent, occurredAtMs: number): void;
  /** The gateway's reported gaps, or null when the ingest never heard from the gateway. */
  list(gateway: string, page: GapPage): GatewayGaps | null;
}

interface GapRow {
  seq: number;
  fromSeq: number;
  toSeq: number;
  reason: string;
  occurredAt: number;
}

const GAP = "gateway.gap";

/** Gap events in `gateway_gaps` (migration 13), beside their entries in the gateway's batches. */
export function createSqliteGaps(db: Database.Database, batches: EventBatches): SqliteGaps {
  const statements = {
    known: db.prepare("SELECT 1 FROM gateways WHERE id = ?"),
    insert: db.prepare(`
      INSERT INTO gateway_gaps (gateway, seq, from_seq, to_seq, reason, occurred_at) VALUES (?, ?, ?, ?, ?, ?)`),
    page: db.prepare(`
      SELECT seq, from_seq AS fromSeq, to_seq AS toSeq, reason, occurred_at AS occurredAt
      FROM gateway_gaps WHERE gateway = ? AND seq > ? ORDER BY seq LIMIT ?`),
    lost: db.prepare(
      "SELECT COALESCE(SUM(to_seq - from_seq + 1), 0) AS lost FROM gateway_gaps WHERE gateway = ?",
    ),
  };
  return {
    record(gateway, event, occurredAtMs) {
      if (event.type !== GAP) return;
      statements.insert.run(gateway, event.seq, event.fromSeq, event.toSeq, event.reason, occurredAtMs);
    },
    list(gateway, page) {
      if (statements.known.get(gateway) === undefined) return null;
      // One more than asked tells whether another page follows.
      const rows = statements.page.all(gateway, page.after ?? 0, page.limit + 1) as GapRow[];
      const more = rows.length > page.limit;
      const gaps = rows.slice(0, page.limit).map(
        (row): GapRecord => ({
          ...row,
          count: row.toSeq - row.fromSeq + 1,
          arrived: batches.count(gateway, row.fromSeq, row.toSeq, (entry) => entry[2] !== GAP),
        }),
      );
      const { lost } = statements.lost.get(gateway) as { lost: number };
      return { gateway, gaps, lost, nextAfter: more ? (gaps.at(-1)?.seq ?? null) : null };
    },
  };
}
