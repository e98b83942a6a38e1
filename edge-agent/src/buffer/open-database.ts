import { existsSync } from "node:fs";
import { dirname } from "node:path";
import { ConfigError, LotwatchError } from "@lotwatch/protocol/errors.js";
import Database from "better-sqlite3";
import type { Logger } from "../common/logger.js";
import {
  checkIntegrity,
  isCorruption,
  type LostBuffer,
  lossGapBody,
  missingBuffer,
  seqMarkOf,
  setAsideCorrupt,
  usableBufferPath,
  writeSeqMark,
} from "./buffer-recovery.js";
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
  /** Site and boot of the `gateway.gap` event that reports the seqs of a lost buffer. */
  site?: string;
  bootId?: string;
  logger?: Logger;
}

// 2 added the local count tables and the dropped total; CREATE IF NOT EXISTS upgrades a version 1 file.
const SCHEMA_VERSION = "2";
export const DEFAULT_WAL_CHECKPOINT_BYTES = 4 * 1024 * 1024;
const CACHE_KIB = 2048;
const SEQ_MARK_INTERVAL_MS = 30_000;

/**
 * Opens (creating if needed) the buffer file with its pragmas and tables, checked page by page
 * when it already existed. A damaged file is moved aside and a deleted one noticed (by its seq
 * mark); either way a fresh buffer starts at once, its seqs above every seq ever handed out, and
 * a `gateway.gap` event names the seqs that may have been pending. An unwritable folder moves the
 * buffer under the temp dir (buffer-recovery.ts).
 */
export function openDatabase(options: OpenDatabaseOptions): Database.Database {
  const folderExisted = existsSync(dirname(options.path));
  const path = usableBufferPath(options.path, options.gatewayId, options.logger);
  let loss: LostBuffer | null = missingBuffer(path, folderExisted || path !== options.path, options.now);
  let db: Database.Database;
  try {
    db = openChecked(path, options);
  } catch (error) {
    if (!isCorruption(error)) throw error;
    loss = setAsideCorrupt(path, (error as Error).message, options.now);
    db = openChecked(path, options);
  }
  try {
    if (loss !== null) recordLoss(db, loss, options);
    updateSeqMark(db, path, options.logger);
    keepSeqMark(db, path, options.logger);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * Rewrites the seq mark every SEQ_MARK_INTERVAL_MS while the file is open and when it is closed:
 * after a crash and a deletion, only the readings of the last interval are beyond what the mark
 * can report. One small write each time.
 */
function keepSeqMark(db: Database.Database, path: string, logger: Logger | undefined): void {
  const timer = setInterval(() => {
    if (!db.open) {
      clearInterval(timer);
      return;
    }
    updateSeqMark(db, path, logger);
  }, SEQ_MARK_INTERVAL_MS);
  timer.unref();
  // A clean stop leaves an exact mark: better-sqlite3 has no close hook, so close is wrapped.
  const close = db.close.bind(db);
  db.close = () => {
    clearInterval(timer);
    if (db.open) updateSeqMark(db, path, logger);
    return close();
  };
}

/** The mark only narrows a future loss report: a full disk must not stop the buffer for it. */
function updateSeqMark(db: Database.Database, path: string, logger: Logger | undefined): void {
  try {
    writeSeqMark(path, seqMarkOf(db));
  } catch (error) {
    logger?.warn({ err: error, path }, "could not update the buffer's seq mark");
  }
}

/** Opens, sets the pragmas and tables, and throws SQLITE_CORRUPT when an existing file fails its check. */
function openChecked(path: string, options: OpenDatabaseOptions): Database.Database {
  const existed = existsSync(path);
  let db: Database.Database;
  try {
    db = new Database(path);
  } catch (error) {
    throw new LotwatchError(
      "BUFFER_OPEN_FAILED",
      `buffer.path: cannot open ${path}: ${(error as Error).message}`,
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
    if (existed) {
      const problems = checkIntegrity(db);
      if (problems !== null) {
        throw Object.assign(new Error(`integrity check failed: ${problems}`), { code: "SQLITE_CORRUPT" });
      }
    }
    createTables(db, options.now);
    if (db.pragma("auto_vacuum", { simple: true }) !== 2) {
      // A file made elsewhere without auto_vacuum: a one-time VACUUM converts it.
      db.exec("VACUUM");
    }
    claimForGateway(db, { ...options, path });
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/** Starts the fresh buffer's seqs above the lost ones and appends the gap event that reports them. */
function recordLoss(db: Database.Database, loss: LostBuffer, options: OpenDatabaseOptions): void {
  db.transaction(() => {
    const raised = db
      .prepare("UPDATE sqlite_sequence SET seq = ? WHERE name = 'pending' AND seq < ?")
      .run(loss.seqFloor, loss.seqFloor).changes;
    const present = db.prepare("SELECT 1 FROM sqlite_sequence WHERE name = 'pending'").get() !== undefined;
    if (raised === 0 && !present) {
      db.prepare("INSERT INTO sqlite_sequence (name, seq) VALUES ('pending', ?)").run(loss.seqFloor);
    }
    if (loss.lost !== null && options.site !== undefined && options.bootId !== undefined) {
      const gap = lossGapBody(loss, loss.lost, options.site, options.now);
      db.prepare(
        "INSERT INTO pending (id, type, occurred_at, accepted_at, boot_id, body) VALUES (?, 'gateway.gap', ?, ?, ?, ?)",
      ).run(gap.id, gap.occurredAt, options.now.getTime(), options.bootId, gap.body);
    }
  })();
  // A folder that did not exist may be a first start: a warning, not an error.
  const level = loss.reason === "buffer-missing" && loss.lost === null ? "warn" : "error";
  options.logger?.[level](
    { reason: loss.reason, movedTo: loss.movedTo, lost: loss.lost, seqFloor: loss.seqFloor },
    `${loss.detail}; started a fresh buffer with seqs above ${loss.seqFloor}` +
      (loss.lost === null
        ? ""
        : `; seqs ${loss.lost.fromSeq}..${loss.lost.toSeq} are reported as a gateway.gap`),
  );
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
