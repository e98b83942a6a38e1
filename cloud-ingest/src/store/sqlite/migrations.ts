import { LotwatchError } from "@lotwatch/protocol/errors.js";
import type Database from "better-sqlite3";
import { CLOCK_MIGRATION } from "./clock-schema.js";
import { CLOCK_SPANS_MIGRATION } from "./clock-span-schema.js";
import { COUNT_CHUNKS_MIGRATION } from "./count-chunks-schema.js";
import { COUNTS_MIGRATION } from "./count-schema.js";
import { DERIVATION_MIGRATION } from "./derivation-schema.js";
import { EVENT_BATCHES_MIGRATION } from "./event-batches-schema.js";
import { LEAN_BODY_MIGRATION } from "./lean-body-schema.js";
import { LEAN_EVENTS_MIGRATION } from "./lean-events-schema.js";
import { SESSIONS_MIGRATION } from "./session-schema.js";

export interface Migration {
  version: number;
  name: string;
  sql: string;
  /** A step SQL alone cannot do (e.g. re-encoding rows), run after `sql` in the same transaction. */
  up?: (db: Database.Database) => void;
}

/** Numbered, append-only: never edit a released migration, add the next one. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "events, rejections, counts, gateways",
    sql: `
      CREATE TABLE events (
        gateway TEXT NOT NULL,
        seq INTEGER NOT NULL,
        id TEXT NOT NULL,
        type TEXT NOT NULL,
        site TEXT NOT NULL,
        occurred_at INTEGER NOT NULL,
        received_at INTEGER NOT NULL,
        unknown_source INTEGER NOT NULL DEFAULT 0,
        body TEXT NOT NULL,
        PRIMARY KEY (gateway, seq)
      );
      CREATE INDEX events_site_occurred_at ON events (site, occurred_at);

      CREATE TABLE rejected (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        received_at INTEGER NOT NULL,
        gateway TEXT,
        topic TEXT NOT NULL,
        event_index INTEGER,
        reason TEXT NOT NULL,
        excerpt TEXT NOT NULL
      );

      CREATE TABLE count_deltas (
        site TEXT NOT NULL,
        space TEXT NOT NULL,
        t INTEGER NOT NULL,
        delta INTEGER NOT NULL,
        gateway TEXT NOT NULL,
        seq INTEGER NOT NULL
      );
      CREATE INDEX count_deltas_site_space_t ON count_deltas (site, space, t);

      CREATE TABLE space_counts (
        site TEXT NOT NULL,
        space TEXT NOT NULL,
        count INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (site, space)
      );

      CREATE TABLE gateways (
        id TEXT PRIMARY KEY,
        site TEXT,
        online INTEGER,
        last_seen INTEGER NOT NULL,
        status_at INTEGER,
        version TEXT,
        boot_id TEXT,
        uptime_ms INTEGER,
        backlog INTEGER,
        oldest_pending_at INTEGER,
        dropped INTEGER,
        events INTEGER NOT NULL DEFAULT 0,
        duplicates INTEGER NOT NULL DEFAULT 0,
        unknown_source INTEGER NOT NULL DEFAULT 0,
        rejected INTEGER NOT NULL DEFAULT 0
      );
    `,
  },
  SESSIONS_MIGRATION,
  COUNTS_MIGRATION,
  CLOCK_MIGRATION,
  LEAN_EVENTS_MIGRATION,
  LEAN_BODY_MIGRATION,
  COUNT_CHUNKS_MIGRATION,
  CLOCK_SPANS_MIGRATION,
  EVENT_BATCHES_MIGRATION,
  DERIVATION_MIGRATION,
];

/** Applies the migrations not yet recorded in `schema_migrations`, each in its own transaction. */
export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at INTEGER NOT NULL
  )`);
  const rows = db.prepare("SELECT version FROM schema_migrations").all() as { version: number }[];
  const applied = new Set(rows.map((row) => row.version));
  const latest = Math.max(0, ...migrations.map((migration) => migration.version));
  const newest = Math.max(0, ...applied);
  if (newest > latest) {
    throw new LotwatchError(
      "store_too_new",
      `the database has schema version ${newest} but this ingest knows only up to ${latest}; run a newer ingest`,
    );
  }
  const record = db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)");
  const ran: number[] = [];
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    if (applied.has(migration.version)) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      migration.up?.(db);
      record.run(migration.version, migration.name, Date.now());
    })();
    ran.push(migration.version);
  }
  return ran;
}
