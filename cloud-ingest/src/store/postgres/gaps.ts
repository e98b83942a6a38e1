import type { GapPage, GapRecord, GatewayGaps } from "../../gaps/gap-report.js";
import { one, query, type Sql } from "./sql.js";

interface GapRow {
  seq: number;
  fromSeq: number;
  toSeq: number;
  reason: string;
  occurredAt: number;
}

const GAP = "type = 'gateway.gap'";
const KNOWN = "SELECT 1 AS known FROM gateways WHERE id = $1";
// Gap events are rare among a gateway's events: the partial index events_gateway_gaps finds them.
const PAGE = `
  SELECT seq, (body::jsonb ->> 'fromSeq')::bigint AS "fromSeq", (body::jsonb ->> 'toSeq')::bigint AS "toSeq",
    body::jsonb ->> 'reason' AS reason, occurred_at AS "occurredAt"
  FROM events WHERE gateway = $1 AND ${GAP} AND seq > $2 ORDER BY seq LIMIT $3`;
const LOST = `
  SELECT COALESCE(SUM((body::jsonb ->> 'toSeq')::bigint - (body::jsonb ->> 'fromSeq')::bigint + 1), 0)::bigint AS lost
  FROM events WHERE gateway = $1 AND ${GAP}`;
const ARRIVED = `SELECT COUNT(*) AS n FROM events WHERE gateway = $1 AND seq BETWEEN $2 AND $3 AND NOT ${GAP}`;

/** Gap reports from the gap events stored in `events` (see gaps/sqlite-gaps.ts). */
export async function listPgGaps(sql: Sql, gateway: string, page: GapPage): Promise<GatewayGaps | null> {
  if ((await one(sql, KNOWN, [gateway])) === undefined) return null;
  // One more than asked tells whether another page follows.
  const rows = await query<GapRow>(sql, PAGE, [gateway, page.after ?? 0, page.limit + 1]);
  const more = rows.length > page.limit;
  const gaps: GapRecord[] = [];
  for (const row of rows.slice(0, page.limit)) {
    const arrived = (await one<{ n: number }>(sql, ARRIVED, [gateway, row.fromSeq, row.toSeq]))?.n ?? 0;
    gaps.push({ ...row, count: row.toSeq - row.fromSeq + 1, arrived });
  }
  const lost = (await one<{ lost: number }>(sql, LOST, [gateway]))?.lost ?? 0;
  return { gateway, gaps, lost, nextAfter: more ? (gaps.at(-1)?.seq ?? null) : null };
}
