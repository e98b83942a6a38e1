import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type Database from "better-sqlite3";
import type { Logger } from "../../logging/create-logger.js";

export interface CheckpointerOptions {
  /** Pause between two checkpoints. Default 100 ms. */
  intervalMs?: number;
  /**
   * WAL frames past which the writer, between two commits, copies the last few frames the worker
   * has not, so that its next commit starts the WAL over. Default 8,192 (32 MiB).
   */
  restartAboveFrames?: number;
  /** WAL frames past which the worker waits for writers and truncates the WAL. Default 16,384 (64 MiB). */
  truncateAboveFrames?: number;
  logger: Logger;
}

export interface Checkpointer {
  close(): Promise<void>;
}

/**
 * Plain JavaScript run by the worker (`eval`, so it runs the same from the built files and under
 * vitest). A PASSIVE checkpoint never blocks the writer. It copies the WAL as it was when it
 * started, and the writer starts the WAL over only if nothing was committed since: under a steady
 * load that never happens, so the worker asks the writer to copy the rest (see `copyTail`). When
 * even that cannot restart it (a long reader), TRUNCATE waits for a pause between commits.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma("busy_timeout = 5000");
let timer;
const run = () => {
  try {
    const [result] = db.pragma("wal_checkpoint(PASSIVE)");
    if (result && result.log > workerData.truncateAboveFrames) db.pragma("wal_checkpoint(TRUNCATE)");
    else if (result && result.log > workerData.restartAboveFrames && result.checkpointed === result.log) {
      parentPort.postMessage({ restart: true });
    }
  } catch (error) {
    parentPort.postMessage({ error: String(error) });
  }
  timer = setTimeout(run, workerData.intervalMs);
};
timer = setTimeout(run, workerData.intervalMs);
parentPort.on("message", () => {
  clearTimeout(timer);
  db.close();
  parentPort.close();
});
`;

/**
 * Moves WAL checkpoints off the commit path. SQLite's automatic checkpoint runs inside the COMMIT
 * that crosses 1,000 WAL pages: it copies them into the database file and fsyncs it, on the thread
 * that waits to send PUBACKs, so every few commits one took several times as long (issue 5). Here
 * the writer never checkpoints; a worker thread with its own connection does, every `intervalMs`.
 * An in-memory database has no WAL and gets no worker.
 */
export function startCheckpointer(db: Database.Database, options: CheckpointerOptions): Checkpointer {
  if (db.memory) return { close: async () => {} };
  const { logger } = options;
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      driver: createRequire(import.meta.url).resolve("better-sqlite3"),
      path: db.name,
      intervalMs: options.intervalMs ?? 100,
      restartAboveFrames: options.restartAboveFrames ?? 8_192,
      truncateAboveFrames: options.truncateAboveFrames ?? 16_384,
    },
  });
  worker.unref();
  db.pragma("wal_autocheckpoint = 0");
  const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
  let fellBack = false;
  const fallBack = (reason: string) => {
    if (fellBack) return;
    fellBack = true;
    logger.error({ reason }, "the checkpoint worker failed; the writer checkpoints again itself");
    if (db.open) db.pragma("wal_autocheckpoint = 1000");
  };
  /**
   * Copies the frames committed while the worker copied the rest: a handful, so a few ms at most
   * between two commits, and nothing can commit meanwhile, so the next commit restarts the WAL.
   * Without this the WAL grew to the TRUNCATE threshold, and truncating 64 MiB held a commit up
   * for ~80 ms (and the disk's other writers too) every ~2 s at 2,000 events/s (issue 5).
   */
  const copyTail = () => {
    if (!db.open || db.inTransaction) return;
    try {
      db.pragma("wal_checkpoint(PASSIVE)");
    } catch (error) {
      logger.warn({ err: error }, "a WAL checkpoint failed");
    }
  };
  worker.on("message", (message: { error?: string; restart?: boolean }) => {
    if (message.error !== undefined) logger.warn({ reason: message.error }, "a WAL checkpoint failed");
    if (message.restart === true) copyTail();
  });
  worker.on("error", (error) => fallBack(String(error)));
  let closing = false;
  worker.once("exit", (code) => {
    if (!closing) fallBack(`the worker exited with code ${code}`);
  });
  return {
    async close() {
      closing = true;
      // Unreferenced, the worker would not keep the process alive until it has closed its connection.
      worker.ref();
      worker.postMessage("close");
      await exited;
    },
  };
}
