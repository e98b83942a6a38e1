import type { Migration } from "./migrations.js";

/**
 * Migration 8: corrected event times and per-boot clock anchors. `events.t` is the time an event
 * counts and matches at (`occurredAt` for rows stored before); `clock_boot` names the boot whose
 * anchor `t` was derived from (null: `t` is final), `clock_base` that anchor's base then (null: the
 * boot had none yet) and `clock_wall` the wall clock reading an offset came from. The partial index
 * finds the rows to re-time when an anchor improves, and costs nothing for correct clocks.
 */
export const CLOCK_MIGRATION: Migration = {
  version: 8,
  name: "gateway clock anchors and corrected event times",
  sql: `
    ALTER TABLE events ADD COLUMN t INTEGER;
    UPDATE events SET t = occurred_at;
    ALTER TABLE events ADD COLUMN clock_boot TEXT;
    ALTER TABLE events ADD COLUMN clock_base INTEGER;
    ALTER TABLE events ADD COLUMN clock_wall INTEGER;
    CREATE INDEX events_clock ON events (gateway, clock_boot, clock_base) WHERE clock_boot IS NOT NULL;

    CREATE TABLE clock_anchors (
      gateway TEXT NOT NULL,
      boot_id TEXT NOT NULL,
      base INTEGER NOT NULL,
      best_received_at INTEGER NOT NULL,
      best_uptime_ms INTEGER NOT NULL,
      latest_sent_at INTEGER NOT NULL,
      latest_uptime_ms INTEGER NOT NULL,
      last_received_at INTEGER NOT NULL,
      envelopes INTEGER NOT NULL,
      dirty INTEGER NOT NULL DEFAULT 0,
      PRIMARY KEY (gateway, boot_id)
    ) WITHOUT ROWID;
  `,
};
