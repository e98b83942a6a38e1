import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { ConfigError, LotwatchError } from "@lotwatch/protocol/errors.js";
import Database from "better-sqlite3";

export type SynchronousMode = "full" | "normal";

export interface OpenDatabaseOptions {
  path: string;
  synchronous: SynchronousMode;
  /** The buffer's rows belong to this gateway's seq space; a file of another gateway is refused. */
  gatewayId: string;
}

const SCHEMA_VERSION = "1";

/**
 * Opens (creating if needed) the buffer file with its pragmas and tables. Order matters:
 * auto_vacuum only takes effect before the first table exists.
 */
export function openDatabase(options: OpenDatabaseOptions): Database.Database {
  mkdirSync(dirname(options.path), { recursive: true });
  let db: Database.Database;
  try {
    db = new Database(options.path);
  } catch (error) {
    throw new LotwatchError(
      "BUFFER_OPEN_FAILED",
      `buffer.path: cannot open ${options.path}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  try {
    db.pragma("auto_vacuum = INCREMENTAL");
    db.pragma("journal_mode = WAL");
    // better-sqlite3 defaults to NORMAL in WAL mode, which can lose the last commits on power loss.
    db.pragma(`synchronous = ${options.synchronous === "full" ? "FULL" : "NORMAL"}`);
    db.pragma("busy_timeout = 5000");
    createTables(db);
    if (db.pragma("auto_vacuum", { simple: true }) !== 2) {
      // A file made elsewhere without auto_vacuum: a one-time VACUUM converts it.
      db.exec("VACUUM");
    }
    claimForGateway(db, options);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

function createTables(db: Database.Database): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS pending (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      id TEXT NOT NULL,
      type TEXT NOT NULL,
      occurred_at TEXT NOT NULL,
      accepted_at INTEGER NOT NULL,
      boot_id TEXT NOT NULL,
      body TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  `);
  db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', ?)").run(SCHEMA_VERSION);
}

function claimForGateway(db: Database.Database, options: OpenDatabaseOptions): void {
  db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('gateway_id', ?)").run(options.gatewayId);
  const row = db.prepare("SELECT value FROM meta WHERE key = 'gateway_id'").get() as { value: string };
  if (row.value !== options.gatewayId) {
    throw new ConfigError(
      "BUFFER_OTHER_GATEWAY",
      `buffer.path: ${options.path} holds the buffer of gateway "${row.value}", not "${options.gatewayId}"; ` +
        "its seqs belong to that gateway, so point buffer.path at a new file",
    );
  }
}
