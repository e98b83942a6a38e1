import type { GatewayStatus } from "@lotwatch/protocol/status.js";
import type Database from "better-sqlite3";
import type { GatewayRecord, InsertResult } from "../store.js";
import { type GatewayRow, toGatewayRecord } from "../table-rows.js";
import type { ClockTable } from "./clock-table.js";

export interface GatewayCounters {
  site: string | null;
  events: number;
  duplicates: number;
  unknownSource: number;
  rejected: number;
}

/** What one stored batch adds to its gateway's counters (both stores). */
export function batchCounters(site: string | null, result: InsertResult): GatewayCounters {
  return {
    site,
    events: result.inserted,
    duplicates: result.duplicates,
    unknownSource: result.unknownSource,
    rejected: result.rejected,
  };
}

/** The gateways table: last status and running counters per gateway, listed with its clock. */
export interface GatewayTable {
  addCounters(gateway: string, counters: GatewayCounters, receivedAt: number): void;
  recordStatus(status: GatewayStatus, receivedAt: number): void;
  list(): GatewayRecord[];
}

interface SqliteGatewayRow extends Omit<GatewayRow, "online"> {
  online: number | null;
}

export function createGatewayTable(db: Database.Database, clocks: ClockTable): GatewayTable {
  const addCounters = db.prepare(`
    INSERT INTO gateways (id, site, last_seen, events, duplicates, unknown_source, rejected)
    VALUES (@id, @site, @receivedAt, @events, @duplicates, @unknownSource, @rejected)
    ON CONFLICT (id) DO UPDATE SET
      site = COALESCE(gateways.site, excluded.site),
      last_seen = MAX(gateways.last_seen, excluded.last_seen),
      events = gateways.events + excluded.events,
      duplicates = gateways.duplicates + excluded.duplicates,
      unknown_source = gateways.unknown_source + excluded.unknown_source,
      rejected = gateways.rejected + excluded.rejected`);
  // Statuses apply in arrival order: a Last Will carries the `at` of its connection, older than
  // later online statuses of the same session, so ordering by `at` would hide it.
  const recordStatus = db.prepare(`
    INSERT INTO gateways (id, site, online, last_seen, status_at, version, boot_id, uptime_ms, backlog,
      oldest_pending_at, dropped)
    VALUES (@id, @site, @online, @receivedAt, @statusAt, @version, @bootId, @uptimeMs, @backlog,
      @oldestPendingAt, @dropped)
    ON CONFLICT (id) DO UPDATE SET
      site = excluded.site,
      online = excluded.online,
      last_seen = MAX(gateways.last_seen, excluded.last_seen),
      status_at = excluded.status_at,
      version = COALESCE(excluded.version, gateways.version),
      boot_id = COALESCE(excluded.boot_id, gateways.boot_id),
      uptime_ms = COALESCE(excluded.uptime_ms, gateways.uptime_ms),
      backlog = COALESCE(excluded.backlog, gateways.backlog),
      oldest_pending_at = CASE WHEN @oldestPendingKnown THEN excluded.oldest_pending_at
        ELSE gateways.oldest_pending_at END,
      dropped = COALESCE(excluded.dropped, gateways.dropped)`);
  const list = db.prepare("SELECT * FROM gateways ORDER BY id");

  return {
    addCounters(gateway, counters, receivedAt) {
      addCounters.run({ id: gateway, receivedAt, ...counters });
    },
    recordStatus(status, receivedAt) {
      recordStatus.run({
        id: status.gateway,
        site: status.site,
        online: status.online ? 1 : 0,
        receivedAt,
        statusAt: Date.parse(status.at),
        version: status.version ?? null,
        bootId: status.bootId ?? null,
        uptimeMs: status.uptimeMs ?? null,
        backlog: status.backlog ?? null,
        // null means "nothing pending", absent means "not reported": keep the previous value.
        oldestPendingKnown: status.oldestPendingAt === undefined ? 0 : 1,
        oldestPendingAt: status.oldestPendingAt ? Date.parse(status.oldestPendingAt) : null,
        dropped: status.dropped ?? null,
      });
    },
    list() {
      const anchors = clocks.latest();
      return (list.all() as SqliteGatewayRow[]).map((row) =>
        toGatewayRecord(
          { ...row, online: row.online === null ? null : row.online === 1 },
          anchors.get(row.id),
        ),
      );
    },
  };
}
