import type { Migration } from "./migrations.js";

/**
 * Migration 2. `session_reads` holds every vehicle read of a known site keyed by its plate group
 * (confusableKey of the normalized plate), so a group's reads load with one index seek.
 * `outbox` is the append-only log of summary records; `outbox_cursors` how far each sink got.
 */
export const SESSIONS_MIGRATION: Migration = {
  version: 2,
  name: "sessions and the summary outbox",
  sql: `
    CREATE TABLE session_reads (
      gateway TEXT NOT NULL,
      seq INTEGER NOT NULL,
      site TEXT NOT NULL,
      plate_key TEXT NOT NULL,
      kind TEXT NOT NULL,
      plate TEXT NOT NULL,
      lane TEXT NOT NULL,
      at INTEGER NOT NULL,
      PRIMARY KEY (gateway, seq)
    );
    CREATE INDEX session_reads_group ON session_reads (site, plate_key);

    CREATE TABLE sessions (
      id TEXT PRIMARY KEY,
      site TEXT NOT NULL,
      plate_key TEXT NOT NULL,
      status TEXT NOT NULL,
      plate TEXT NOT NULL,
      exit_plate TEXT,
      started_at INTEGER NOT NULL,
      entry_at INTEGER,
      exit_at INTEGER,
      entry_gateway TEXT,
      entry_seq INTEGER,
      entry_lane TEXT,
      exit_gateway TEXT,
      exit_seq INTEGER,
      exit_lane TEXT,
      matched_by TEXT,
      duration_s INTEGER,
      fee REAL,
      currency TEXT,
      last_record_id INTEGER,
      updated_at INTEGER NOT NULL
    );
    CREATE INDEX sessions_group ON sessions (site, plate_key);
    CREATE INDEX sessions_site_start ON sessions (site, started_at, id);
    CREATE INDEX sessions_site_status_start ON sessions (site, status, started_at, id);

    CREATE TABLE outbox (
      record_id INTEGER PRIMARY KEY AUTOINCREMENT,
      session_id TEXT NOT NULL,
      recorded_at INTEGER NOT NULL,
      body TEXT NOT NULL
    );

    CREATE TABLE outbox_cursors (
      sink TEXT PRIMARY KEY,
      delivered_through INTEGER NOT NULL,
      updated_at INTEGER NOT NULL
    );
  `,
};
