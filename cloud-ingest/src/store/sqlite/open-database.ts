import { LotwatchError } from "@lotwatch/protocol/errors.js";
import Database from "better-sqlite3";

/**
 * Opens the SQLite file in WAL mode with `synchronous = FULL`: a PUBACK promises the batch is
 * stored, and NORMAL (better-sqlite3's WAL default) can lose the last commits on power loss.
 */
export function openDatabase(path: string): Database.Database {
  let db: Database.Database;
  try {
    db = new Database(path);
  } catch (error) {
    throw new LotwatchError("store_open_failed", `cannot open the database "${path}": ${String(error)}`, {
      cause: error,
    });
  }
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  db.pragma("busy_timeout = 5000");
  return db;
}
