import Database from "better-sqlite3";

/** What the ingest stored for one gateway: exactly once means rows = distinct = max − min + 1. */
export interface StoredSeqs {
  rows: number;
  distinct: number;
  min: number | null;
  max: number | null;
}

function readOnly<T>(path: string, read: (db: Database.Database) => T): T {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

/** Reads the ingest's SQLite file while the ingest runs (WAL lets a reader in beside the writer). */
export function storedSeqs(ingestDb: string, gateway: string): StoredSeqs {
  return readOnly(
    ingestDb,
    (db) =>
      db
        .prepare(
          `SELECT count(*) AS "rows", count(DISTINCT seq) AS "distinct", min(seq) AS "min", max(seq) AS "max"
           FROM events WHERE gateway = ?`,
        )
        .get(gateway) as StoredSeqs,
  );
}

/** Seqs stored earlier than the seq before them: 0 when the ingest saw the gateway's events in seq order. */
export function outOfOrderSeqs(ingestDb: string, gateway: string): number {
  return readOnly(ingestDb, (db) => {
    const row = db
      .prepare(
        `SELECT count(*) AS n FROM (
           SELECT received_at, lag(received_at) OVER (ORDER BY seq) AS previous FROM events WHERE gateway = ?
         ) WHERE received_at < previous`,
      )
      .get(gateway) as { n: number };
    return row.n;
  });
}

/**
 * The highest seq the agent ever committed: AUTOINCREMENT keeps it in `sqlite_sequence`, in the
 * same transaction as the rows, so after a SIGKILL it is exactly the last reading made durable.
 */
export function committedSeq(bufferDb: string): number {
  return readOnly(bufferDb, (db) => {
    const row = db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'pending'").get() as
      | { seq: number }
      | undefined;
    return row?.seq ?? 0;
  });
}

/** Every seq the ingest stored for one gateway, ascending (readings and gap events alike). */
export function storedSeqList(ingestDb: string, gateway: string): number[] {
  return readOnly(ingestDb, (db) =>
    db
      .prepare("SELECT seq FROM events WHERE gateway = ? ORDER BY seq")
      .pluck()
      .all(gateway)
      .map((seq) => Number(seq)),
  );
}
