import type { ClockSettings } from "../clock/clock-settings.js";
import type { NegativeCountHook } from "../counts/clamp.js";
import type { Logger } from "../logging/create-logger.js";
import { isPostgresUrl, redact } from "../store/postgres/connect.js";
import { createPostgresStore } from "../store/postgres/postgres-store.js";
import type { SyncMode } from "../store/sqlite/open-database.js";
import { createSqliteStore } from "../store/sqlite/sqlite-store.js";
import type { Store } from "../store/store.js";
import type { TopologyIndex } from "../topology/topology-index.js";

export interface OpenStoreOptions {
  /** `--db`: a SQLite file, or a `postgres://` URL. */
  db: string;
  topology: TopologyIndex;
  logger: Logger;
  clock: Partial<ClockSettings>;
  onNegativeCount: NegativeCountHook;
  /** SQLite only. */
  sync: SyncMode;
  /** SQLite only: WAL checkpoints in a worker thread, off the commit path. */
  checkpointWorker?: boolean;
  /** PostgreSQL only (the CLI refuses it with SQLite). */
  retentionDays?: number | undefined;
}

/** The store `--db` names: PostgreSQL for a `postgres://` URL, else the SQLite file. */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  const { db, topology, logger, clock, onNegativeCount } = options;
  if (isPostgresUrl(db)) {
    return createPostgresStore({
      url: db,
      topology,
      logger,
      clock,
      onNegativeCount,
      retentionDays: options.retentionDays,
    });
  }
  return createSqliteStore({
    path: db,
    topology,
    logger,
    clock,
    onNegativeCount,
    sync: options.sync,
    checkpointWorker: options.checkpointWorker ?? false,
  });
}

/** `--db` as it may be logged: a URL without its password. */
export function describeDb(db: string): string {
  return isPostgresUrl(db) ? redact(db) : db;
}
