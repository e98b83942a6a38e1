import type Database from "better-sqlite3";
import type { GapPage, GapRecord, GatewayGaps } from "./gap-report.js";

export interface SqliteGaps {
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

const GAP = "type = 'gateway.gap'";

/** Reads gap events from the events table, where they are stored like any other event. */
export function createSqliteGaps(db: Database.Database): SqliteGaps {
  // Gap events are rare among a gateway's events: a partial index finds them without a scan.
  db.exec(`CREATE INDEX IF NOT EXISTS events_gateway_gaps ON events (gateway, seq) WHERE ${GAP}`);
  const statements = {
    known: db.prepare("SELECT 1 FROM gateways WHERE id = ?"),
    page: db.prepare(`
      SELECT seq, json_extract(body, '$.fromSeq') AS fromSeq, json_extract(body, '$.toSeq') AS toSeq,
        json_extract(body, '$.reason') AS reason, occurred_at AS occurredAt
      FROM events WHERE gateway = ? AND ${GAP} AND seq > ? ORDER BY seq LIMIT ?`),
    lost: db.prepare(`
      SELECT COALESCE(SUM(json_extract(body, '$.toSeq') - json_extract(body, '$.fromSeq') + 1), 0) AS lost
      FROM events WHERE gateway = ? AND ${GAP}`),
    arrived: db.prepare(
      `SELECT COUNT(*) AS n FROM events WHERE gateway = ? AND seq BETWEEN ? AND ? AND NOT ${GAP}`,
    ),
  };
  return {
    list(gateway, page) {
      if (statements.known.get(gateway) === undefined) return null;
      // One more than asked tells whether another page follows.
      const rows = statements.page.all(gateway, page.after ?? 0, page.limit + 1) as GapRow[];
      const more = rows.length > page.limit;
      const gaps = rows.slice(0, page.limit).map(
        (row): GapRecord => ({
          ...row,
          count: row.toSeq - row.fromSeq + 1,
          arrived: (statements.arrived.get(gateway, row.fromSeq, row.toSeq) as { n: number }).n,
        }),
      );
      const { lost } = statements.lost.get(gateway) as { lost: number };
      return { gateway, gaps, lost, nextAfter: more ? (gaps.at(-1)?.seq ?? null) : null };
    },
  };
}
