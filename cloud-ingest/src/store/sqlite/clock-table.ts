import type Database from "better-sqlite3";
import { type ClockAnchor, type EnvelopeClock, observeEnvelope } from "../../clock/anchor.js";
import { type AnchorRow, toAnchor } from "../table-rows.js";

/** The clock_anchors table: one anchor per (gateway, boot), and which ones have stale event times. */
export interface ClockTable {
  /**
   * Folds an envelope into its boot's anchor (inside the caller's transaction). The anchor is marked
   * dirty when it is new or moved earlier: stored times may be stale. (Any move, as small moves add
   * up; which rows are stale enough to re-time is the re-timer's call.)
   */
  observe(gateway: string, clock: EnvelopeClock, receivedAt: number): ClockAnchor;
  get(gateway: string, bootId: string): ClockAnchor | null;
  /** The gateway's anchors marked dirty. */
  dirty(gateway: string): ClockAnchor[];
  /** Marks the anchor's stored times as derived from its current base. */
  settle(gateway: string, bootId: string): void;
  /** Each gateway's anchor of the boot it sent from last. */
  latest(): Map<string, ClockAnchor>;
}

export function createClockTable(db: Database.Database): ClockTable {
  const get = db.prepare("SELECT * FROM clock_anchors WHERE gateway = ? AND boot_id = ?");
  const upsert = db.prepare(`
    INSERT INTO clock_anchors (gateway, boot_id, base, best_received_at, best_uptime_ms, latest_sent_at,
      latest_uptime_ms, last_received_at, envelopes, dirty)
    VALUES (@gateway, @bootId, @base, @bestReceivedAt, @bestUptimeMs, @latestSentAt, @latestUptimeMs,
      @lastReceivedAt, @envelopes, @dirty)
    ON CONFLICT (gateway, boot_id) DO UPDATE SET
      base = excluded.base, best_received_at = excluded.best_received_at,
      best_uptime_ms = excluded.best_uptime_ms, latest_sent_at = excluded.latest_sent_at,
      latest_uptime_ms = excluded.latest_uptime_ms, last_received_at = excluded.last_received_at,
      envelopes = excluded.envelopes, dirty = MAX(clock_anchors.dirty, excluded.dirty)`);
  const dirty = db.prepare("SELECT * FROM clock_anchors WHERE gateway = ? AND dirty = 1 ORDER BY boot_id");
  const settle = db.prepare("UPDATE clock_anchors SET dirty = 0 WHERE gateway = ? AND boot_id = ?");
  const latest = db.prepare(`
    SELECT * FROM clock_anchors a
    WHERE last_received_at = (SELECT MAX(last_received_at) FROM clock_anchors b WHERE b.gateway = a.gateway)
    ORDER BY gateway, boot_id`);

  const read = (gateway: string, bootId: string) => {
    const row = get.get(gateway, bootId) as AnchorRow | undefined;
    return row === undefined ? null : toAnchor(row);
  };

  return {
    observe(gateway, clock, receivedAt) {
      const { anchor, improvedByMs } = observeEnvelope(read(gateway, clock.bootId), clock, receivedAt);
      upsert.run({ gateway, ...anchor, dirty: improvedByMs > 0 ? 1 : 0 });
      return anchor;
    },
    get: read,
    dirty(gateway) {
      return (dirty.all(gateway) as AnchorRow[]).map(toAnchor);
    },
    settle(gateway, bootId) {
      settle.run(gateway, bootId);
    },
    latest() {
      // Two boots received in the same ms: the first by boot id wins, so the answer is stable.
      const byGateway = new Map<string, ClockAnchor>();
      for (const row of latest.all() as AnchorRow[]) {
        if (!byGateway.has(row.gateway)) byGateway.set(row.gateway, toAnchor(row));
      }
      return byGateway;
    },
  };
}
