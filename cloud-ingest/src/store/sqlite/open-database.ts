import { LotwatchError } from "@lotwatch/protocol/errors.js";
import Database from "better-sqlite3";

/**
 * `full` (the default): a PUBACK promises the batch is stored, and NORMAL (better-sqlite3's WAL
 * default) can lose the last commits on power loss. `normal` trades that for fewer fsyncs: a
 * process crash still loses nothing, a power cut may lose the last acknowledged batches.
 */
export type SyncMode = "full" | "normal";

export interface OpenDatabaseOptions {
  sync?: SyncMode;
}

/** Opens the SQLite file in WAL mode with the chosen `synchronous` level. */
export function openDatabase(path: string, options: OpenDatabaseOptions = {}): Database.Database {
  let db: Database.Database;
  try {
    db = new Database(path);
  } catch (error) {
    throw new LotwatchError("store_open_failed", `cannot open the database "${path}": ${String(error)}`, {
      cause: error,
    });
  }
  db.pragma("journal_mode = WAL");
  db.pragma(`synchronous = ${options.sync === "normal" ? "NORMAL" : "FULL"}`);
  db.pragma("busy_timeout = 5000");
  // 64 MiB instead of 2 MiB: inserts seek into every plate group and count tail a batch touches,
  // and with the default cache those pages are re-read from the OS each time (issue 5).
  db.pragma("cache_size = -65536");
  return db;
}
