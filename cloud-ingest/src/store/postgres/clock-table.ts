import { type ClockAnchor, type EnvelopeClock, observeEnvelope } from "../../clock/anchor.js";
import { type AnchorRow, toAnchor } from "../table-rows.js";
import { one, query, run, type Sql } from "./sql.js";

/** The clock_anchors table, as the SQLite store's clock-table.ts keeps it. */
export interface PgClockTable {
  observe(sql: Sql, gateway: string, clock: EnvelopeClock, receivedAt: number): Promise<ClockAnchor>;
  get(sql: Sql, gateway: string, bootId: string): Promise<ClockAnchor | null>;
  dirty(sql: Sql, gateway: string): Promise<ClockAnchor[]>;
  settle(sql: Sql, gateway: string, bootId: string): Promise<void>;
  latest(sql: Sql): Promise<Map<string, ClockAnchor>>;
}

const GET = "SELECT * FROM clock_anchors WHERE gateway = $1 AND boot_id = $2";
const UPSERT = `
  INSERT INTO clock_anchors (gateway, boot_id, base, best_received_at, best_uptime_ms, latest_sent_at,
    latest_uptime_ms, last_received_at, envelopes, dirty)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
  ON CONFLICT (gateway, boot_id) DO UPDATE SET
    base = excluded.base, best_received_at = excluded.best_received_at,
    best_uptime_ms = excluded.best_uptime_ms, latest_sent_at = excluded.latest_sent_at,
    latest_uptime_ms = excluded.latest_uptime_ms, last_received_at = excluded.last_received_at,
    envelopes = excluded.envelopes, dirty = clock_anchors.dirty OR excluded.dirty`;
const DIRTY = "SELECT * FROM clock_anchors WHERE gateway = $1 AND dirty ORDER BY boot_id";
const SETTLE = "UPDATE clock_anchors SET dirty = false WHERE gateway = $1 AND boot_id = $2";
const LATEST = `
  SELECT DISTINCT ON (gateway) * FROM clock_anchors
  ORDER BY gateway, last_received_at DESC, boot_id`;

export function createPgClockTable(): PgClockTable {
  const read = async (sql: Sql, gateway: string, bootId: string) => {
    const row = await one<AnchorRow>(sql, GET, [gateway, bootId]);
    return row === undefined ? null : toAnchor(row);
  };
  return {
    async observe(sql, gateway, clock, receivedAt) {
      const previous = await read(sql, gateway, clock.bootId);
      const { anchor, improvedByMs } = observeEnvelope(previous, clock, receivedAt);
      await run(sql, UPSERT, [
        gateway,
        anchor.bootId,
        anchor.base,
        anchor.bestReceivedAt,
        anchor.bestUptimeMs,
        anchor.latestSentAt,
        anchor.latestUptimeMs,
        anchor.lastReceivedAt,
        anchor.envelopes,
        improvedByMs > 0,
      ]);
      return anchor;
    },
    get: read,
    async dirty(sql, gateway) {
      return (await query<AnchorRow>(sql, DIRTY, [gateway])).map(toAnchor);
    },
    async settle(sql, gateway, bootId) {
      await run(sql, SETTLE, [gateway, bootId]);
    },
    async latest(sql) {
      // Two boots received in the same ms: the first by boot id wins, so the answer is stable.
      const rows = await query<AnchorRow>(sql, LATEST);
      return new Map(rows.map((row) => [row.gateway, toAnchor(row)]));
    },
  };
}
