import type { Migration } from "./migrations.js";

/**
 * Migration 10: `events` becomes a WITHOUT ROWID table on its key (gateway, seq), one b-tree
 * instead of a rowid table plus the key's index, and `body` keeps only what no column holds
 * (event-body.ts). Both halve the pages an insert writes (issue 5). Existing rows are copied with
 * their bodies slimmed the same way; `occurredAt` stays in a body whose text the ms column would
 * not give back. `events_gateway_gaps` is made again at start (gaps/sqlite-gaps.ts).
 */
export const LEAN_BODY_MIGRATION: Migration = {
  version: 10,
  name: "events without rowid, bodies without the columns' fields",
  sql: `
    CREATE TABLE events_lean (
      gateway TEXT NOT NULL,
      seq INTEGER NOT NULL,
      id TEXT NOT NULL,
      type TEXT NOT NULL,
      site TEXT NOT NULL,
      occurred_at INTEGER NOT NULL,
      received_at INTEGER NOT NULL,
      unknown_source INTEGER NOT NULL DEFAULT 0,
      body TEXT NOT NULL,
      t INTEGER,
      clock_boot TEXT,
      clock_base INTEGER,
      clock_wall INTEGER,
      PRIMARY KEY (gateway, seq)
    ) WITHOUT ROWID;
    INSERT INTO events_lean
      SELECT gateway, seq, id, type, site, occurred_at, received_at, unknown_source,
        CASE WHEN strftime('%Y-%m-%dT%H:%M:%S', occurred_at / 1000, 'unixepoch') || printf('.%03dZ', occurred_at % 1000)
            = json_extract(body, '$.occurredAt')
          THEN json_remove(body, '$.id', '$.seq', '$.type', '$.site', '$.occurredAt')
          ELSE json_remove(body, '$.id', '$.seq', '$.type', '$.site') END,
        t, clock_boot, clock_base, clock_wall
      FROM events;
    DROP TABLE events;
    ALTER TABLE events_lean RENAME TO events;
    CREATE INDEX events_clock ON events (gateway, clock_boot, clock_base) WHERE clock_boot IS NOT NULL;
  `,
};
