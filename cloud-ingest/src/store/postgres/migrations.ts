import { LotwatchError } from "@lotwatch/protocol/errors.js";
import type pg from "pg";
import type { Migration } from "../sqlite/migrations.js";
import { SCHEMA_V1 } from "./schema.js";

/** Numbered, append-only: never edit a released migration, add the next one. */
export const PG_MIGRATIONS: readonly Migration[] = [
  { version: 1, name: "events (partitioned), counts, sessions, outbox, gateways, clocks", sql: SCHEMA_V1 },
];

// Any constant: every ingest sharing the database takes the same lock, so one migrates at a time.
const MIGRATION_LOCK = 0x6c6f7477;

/**
 * Creates the schema if needed and applies the migrations not yet recorded, in one transaction
 * under an advisory lock, so workers starting together do not race. Returns the versions it ran.
 */
export async function migrate(
  pool: pg.Pool,
  schema: string,
  migrations: readonly Migration[] = PG_MIGRATIONS,
): Promise<number[]> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    await client.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at bigint NOT NULL
    )`);
    const rows = (await client.query<{ version: number }>("SELECT version FROM schema_migrations")).rows;
    const applied = new Set(rows.map((row) => row.version));
    const latest = Math.max(0, ...migrations.map((migration) => migration.version));
    const newest = Math.max(0, ...applied);
    if (newest > latest) {
      throw new LotwatchError(
        "store_too_new",
        `the database has schema version ${newest} but this ingest knows only up to ${latest}; run a newer ingest`,
      );
    }
    const ran: number[] = [];
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (applied.has(migration.version)) continue;
      await client.query(migration.sql);
      await client.query("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)", [
        migration.version,
        migration.name,
        Date.now(),
      ]);
      ran.push(migration.version);
    }
    await client.query("COMMIT");
    return ran;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
