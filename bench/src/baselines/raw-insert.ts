import Database from "better-sqlite3";
import { elapsedSeconds, nowMicros } from "../harness/latency.js";

/** A table the raw baseline fills: the same schema and pragmas as the component it is compared with. */
export interface RawTable {
  pragmas: string[];
  createSql: string;
  insertSql: string;
}

/** The agent buffer's `pending` table and pragmas (edge-agent/src/buffer/open-database.ts). */
export const PENDING_TABLE: RawTable = {
  pragmas: ["auto_vacuum = INCREMENTAL", "journal_mode = WAL", "synchronous = FULL"],
  createSql: `CREATE TABLE pending (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL, type TEXT NOT NULL,
    occurred_at TEXT NOT NULL, accepted_at INTEGER NOT NULL, boot_id TEXT NOT NULL, body TEXT NOT NULL)`,
  insertSql:
    "INSERT INTO pending (id, type, occurred_at, accepted_at, boot_id, body) VALUES (?, ?, ?, ?, ?, ?)",
};

/** The ingest's `events` table, its index and pragmas (cloud-ingest migration 1). */
export const EVENTS_TABLE: RawTable = {
  pragmas: ["journal_mode = WAL", "synchronous = FULL"],
  createSql: `CREATE TABLE events (
    gateway TEXT NOT NULL, seq INTEGER NOT NULL, id TEXT NOT NULL, type TEXT NOT NULL, site TEXT NOT NULL,
    occurred_at INTEGER NOT NULL, received_at INTEGER NOT NULL, unknown_source INTEGER NOT NULL DEFAULT 0,
    body TEXT NOT NULL, PRIMARY KEY (gateway, seq));
    CREATE INDEX events_site_occurred_at ON events (site, occurred_at)`,
  insertSql: `INSERT INTO events (gateway, seq, id, type, site, occurred_at, received_at, unknown_source, body)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (gateway, seq) DO NOTHING`,
};

export const RAW_BATCH = 500;

/**
 * The storage limit: one prepared INSERT of ready-made rows, `RAW_BATCH` rows per transaction, into
 * a new file at `path`. Returns rows per second (opening and creating the file not counted).
 */
export function rawInsertRate(
  path: string,
  table: RawTable,
  rows: ReadonlyArray<readonly unknown[]>,
): number {
  const db = new Database(path);
  try {
    for (const pragma of table.pragmas) db.pragma(pragma);
    db.exec(table.createSql);
    const insert = db.prepare(table.insertSql);
    const insertMany = db.transaction((chunk: ReadonlyArray<readonly unknown[]>) => {
      for (const row of chunk) insert.run(...row);
    });
    const started = nowMicros();
    for (let from = 0; from < rows.length; from += RAW_BATCH) insertMany(rows.slice(from, from + RAW_BATCH));
    return rows.length / elapsedSeconds(started);
  } finally {
    db.close();
  }
}
