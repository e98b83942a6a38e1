import { type ClockAnchor, latestOffset } from "../clock/anchor.js";
import type { GatewayRecord } from "./store.js";

/** A clock_anchors row, as both backends store it. */
export interface AnchorRow {
  gateway: string;
  boot_id: string;
  base: number;
  best_received_at: number;
  best_uptime_ms: number;
  latest_sent_at: number;
  latest_uptime_ms: number;
  last_received_at: number;
  envelopes: number;
}

export function toAnchor(row: AnchorRow): ClockAnchor {
  return {
    bootId: row.boot_id,
    base: row.base,
    bestReceivedAt: row.best_received_at,
    bestUptimeMs: row.best_uptime_ms,
    latestSentAt: row.latest_sent_at,
    latestUptimeMs: row.latest_uptime_ms,
    lastReceivedAt: row.last_received_at,
    envelopes: row.envelopes,
  };
}

/** A gateways row, as both backends store it (SQLite's 0/1 `online` read as a boolean first). */
export interface GatewayRow {
  id: string;
  site: string | null;
  online: boolean | null;
  last_seen: number;
  status_at: number | null;
  version: string | null;
  boot_id: string | null;
  uptime_ms: number | null;
  backlog: number | null;
  oldest_pending_at: number | null;
  dropped: number | null;
  events: number;
  duplicates: number;
  unknown_source: number;
  rejected: number;
}

/** The gateway as `/v1/gateways` lists it: its row, and the anchor of the boot it sent from last. */
export function toGatewayRecord(row: GatewayRow, anchor: ClockAnchor | undefined): GatewayRecord {
  return {
    id: row.id,
    site: row.site,
    online: row.online,
    lastSeen: row.last_seen,
    statusAt: row.status_at,
    version: row.version,
    // Before any status (a client that only publishes events), the boot its envelopes name.
    bootId: row.boot_id ?? anchor?.bootId ?? null,
    uptimeMs: row.uptime_ms,
    backlog: row.backlog,
    oldestPendingAt: row.oldest_pending_at,
    dropped: row.dropped,
    clockOffsetMs: anchor === undefined ? null : latestOffset(anchor),
    clockMeasuredAt: anchor?.lastReceivedAt ?? null,
    events: row.events,
    duplicates: row.duplicates,
    unknownSource: row.unknown_source,
    rejected: row.rejected,
  };
}
