import type { GatewayStatus } from "@lotwatch/protocol/status.js";
import type { GatewayCounters } from "../sqlite/gateway-table.js";
import type { GatewayRecord } from "../store.js";
import { type GatewayRow, toGatewayRecord } from "../table-rows.js";
import type { PgClockTable } from "./clock-table.js";
import { query, run, type Sql } from "./sql.js";

/** The gateways table: last status and running counters per gateway (see sqlite/gateway-table.ts). */
export interface PgGatewayTable {
  addCounters(sql: Sql, gateway: string, counters: GatewayCounters, receivedAt: number): Promise<void>;
  recordStatus(sql: Sql, status: GatewayStatus, receivedAt: number): Promise<void>;
  list(sql: Sql): Promise<GatewayRecord[]>;
}

const ADD_COUNTERS = `
  INSERT INTO gateways (id, site, last_seen, events, duplicates, unknown_source, rejected)
  VALUES ($1, $2, $3, $4, $5, $6, $7)
  ON CONFLICT (id) DO UPDATE SET
    site = COALESCE(gateways.site, excluded.site),
    last_seen = GREATEST(gateways.last_seen, excluded.last_seen),
    events = gateways.events + excluded.events,
    duplicates = gateways.duplicates + excluded.duplicates,
    unknown_source = gateways.unknown_source + excluded.unknown_source,
    rejected = gateways.rejected + excluded.rejected`;
// Statuses apply in arrival order: a Last Will carries the `at` of its connection, older than
// later online statuses of the same session, so ordering by `at` would hide it.
const RECORD_STATUS = `
  INSERT INTO gateways (id, site, online, last_seen, status_at, version, boot_id, uptime_ms, backlog,
    oldest_pending_at, dropped)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
  ON CONFLICT (id) DO UPDATE SET
    site = excluded.site,
    online = excluded.online,
    last_seen = GREATEST(gateways.last_seen, excluded.last_seen),
    status_at = excluded.status_at,
    version = COALESCE(excluded.version, gateways.version),
    boot_id = COALESCE(excluded.boot_id, gateways.boot_id),
    uptime_ms = COALESCE(excluded.uptime_ms, gateways.uptime_ms),
    backlog = COALESCE(excluded.backlog, gateways.backlog),
    oldest_pending_at = CASE WHEN $12 THEN excluded.oldest_pending_at ELSE gateways.oldest_pending_at END,
    dropped = COALESCE(excluded.dropped, gateways.dropped)`;
const LIST = "SELECT * FROM gateways ORDER BY id";

export function createPgGatewayTable(clocks: PgClockTable): PgGatewayTable {
  return {
    async addCounters(sql, gateway, counters, receivedAt) {
      await run(sql, ADD_COUNTERS, [
        gateway,
        counters.site,
        receivedAt,
        counters.events,
        counters.duplicates,
        counters.unknownSource,
        counters.rejected,
      ]);
    },
    async recordStatus(sql, status, receivedAt) {
      await run(sql, RECORD_STATUS, [
        status.gateway,
        status.site,
        status.online,
        receivedAt,
        Date.parse(status.at),
        status.version ?? null,
        status.bootId ?? null,
        status.uptimeMs ?? null,
        status.backlog ?? null,
        status.oldestPendingAt ? Date.parse(status.oldestPendingAt) : null,
        status.dropped ?? null,
        // null means "nothing pending", absent means "not reported": keep the previous value.
        status.oldestPendingAt !== undefined,
      ]);
    },
    async list(sql) {
      const anchors = await clocks.latest(sql);
      return (await query<GatewayRow>(sql, LIST)).map((row) => toGatewayRecord(row, anchors.get(row.id)));
    },
  };
}
