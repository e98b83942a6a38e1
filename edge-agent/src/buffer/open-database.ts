import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { ConfigError, LotwatchError } from "@lotwatch/protocol/errors.js";
import Database from "better-sqlite3";
import type { BufferPragmas } from "./types.js";

export type SynchronousMode = "full" | "normal";

export interface OpenDatabaseOptions {
  path: string;
  synchronous: SynchronousMode;
  /** The buffer's rows belong to this gateway's seq space; a file of another gateway is refused. */
  gatewayId: string;
  /** Recorded as the buffer's creation time when the file is new. */
  now: Date;
  /**
   * The WAL is checkpointed once it holds this many bytes, and cut back to this size after (default
   * 4 MiB, SQLite's 1000 pages). A WAL file much larger than this means checkpoints are failing.
   */
  walCheckpointBytes?: number;
}

// 2 added the local count tables and the dropped total; CREATE IF NOT EXISTS upgrades a version 1 file.
const SCHEMA_VERSION = "2";
export const DEFAULT_WAL_CHECKPOINT_BYTES = 4 * 1024 * 1024;
const CACHE_KIB = 2048;

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
    // better-sqlite3 builds with a 16 MB page cache; appends at the tail and reads at the head of
    // one table need a few pages, and the rest would be resident memory on a small gateway.
    db.pragma(`cache_size = -${CACHE_KIB}`);
    // The WAL file is cut back after a checkpoint, so one burst does not keep it large on the card.
    const walBytes = options.walCheckpointBytes ?? DEFAULT_WAL_CHECKPOINT_BYTES;
    const pageSize = db.pragma("page_size", { simple: true }) as number;
    db.pragma(`journal_size_limit = ${walBytes}`);
    db.pragma(`wal_autocheckpoint = ${Math.max(16, Math.floor(walBytes / pageSize))}`);
    createTables(db, options.now);
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

function createTables(db: Database.Database, now: Date): void {
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
    CREATE TABLE IF NOT EXISTS lane_counts (
      lane TEXT PRIMARY KEY,
      entries INTEGER NOT NULL,
      exits INTEGER NOT NULL,
      last_at INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS door_counts (
      door TEXT PRIMARY KEY,
      in_count INTEGER NOT NULL,
      out_count INTEGER NOT NULL,
      last_at INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS slot_states (
      slot TEXT PRIMARY KEY,
      occupied INTEGER NOT NULL,
      since INTEGER NOT NULL,
      last_at INTEGER NOT NULL
    ) WITHOUT ROWID;
  `);
  const setMeta = db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)");
  setMeta.run("created_at", now.toISOString());
  setMeta.run("dropped_total", "0");
  db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)").run(SCHEMA_VERSION);
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

/** The pragmas that decide durability and size, as SQLite reports them. */
export function readPragmas(db: Database.Database): BufferPragmas {
  const synchronous = ["off", "normal", "full", "extra"][
    db.pragma("synchronous", { simple: true }) as number
  ];
  const autoVacuum = ["none", "full", "incremental"][db.pragma("auto_vacuum", { simple: true }) as number];
  return {
    journalMode: String(db.pragma("journal_mode", { simple: true })),
    synchronous: synchronous as BufferPragmas["synchronous"],
    autoVacuum: autoVacuum as BufferPragmas["autoVacuum"],
  };
}
