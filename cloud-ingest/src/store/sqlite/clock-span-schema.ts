import type { Migration } from "./migrations.js";

/**
 * Migration 12: which events to re-time when a boot's anchor improves is kept per run of seqs
 * (clock-spans.ts), written once per batch, instead of in three columns and a partial index entry
 * per event (issue 5). Existing rows' clock columns become spans of consecutive seqs with the same
 * clock (seq minus its rank among the rows of that clock is constant along such a run).
 */
export const CLOCK_SPANS_MIGRATION: Migration = {
  version: 12,
  name: "clock spans instead of per-event clock columns",
  sql: `
    CREATE TABLE clock_spans (
      gateway TEXT NOT NULL,
      boot_id TEXT NOT NULL,
      from_seq INTEGER NOT NULL,
      to_seq INTEGER NOT NULL,
      base INTEGER,
      wall INTEGER,
      PRIMARY KEY (gateway, boot_id, from_seq)
    ) WITHOUT ROWID;
    INSERT INTO clock_spans (gateway, boot_id, from_seq, to_seq, base, wall)
      SELECT gateway, clock_boot, MIN(seq), MAX(seq), clock_base, clock_wall FROM (
        SELECT gateway, seq, clock_boot, clock_base, clock_wall,
          seq - ROW_NUMBER() OVER (PARTITION BY gateway, clock_boot, clock_base, clock_wall ORDER BY seq) AS run
        FROM events WHERE clock_boot IS NOT NULL)
      GROUP BY gateway, clock_boot, clock_base, clock_wall, run;
    DROP INDEX IF EXISTS events_clock;
    ALTER TABLE events DROP COLUMN clock_boot;
    ALTER TABLE events DROP COLUMN clock_base;
    ALTER TABLE events DROP COLUMN clock_wall;
  `,
};
