import { closeSync, fdatasync, fdatasyncSync, openSync } from "node:fs";
import { LotwatchError } from "@lotwatch/protocol/errors.js";
import type Database from "better-sqlite3";
import type { Logger } from "../../logging/create-logger.js";

/** What a write needs before it may be acknowledged: its commit on disk. */
export interface Durability {
  /** Resolves once everything committed before the call is on disk. */
  flush(): Promise<void>;
  /** The same, blocking the thread: for the last commits before the database closes. */
  flushNow(): void;
}

export interface WalSync extends Durability {
  /** Waits for a running flush, then closes the WAL's file descriptor. */
  close(): Promise<void>;
}

export interface WalSyncOptions {
  logger: Logger;
  /** Stands in for `fs.fdatasync` in tests. */
  fdatasync?: (fd: number, callback: (error: NodeJS.ErrnoException | null) => void) => void;
}

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Flushes the WAL with `fdatasync` on libuv's thread pool instead of SQLite's own `fsync` inside
 * COMMIT, so that `synchronous = FULL`'s promise holds (a write is on disk before it is
 * acknowledged) while the loop goes on. SQLite's unix build here has no HAVE_FDATASYNC and calls
 * `fsync`, which also journals the WAL's mtime on every commit; and an `fsync` in COMMIT blocks the
 * thread that parses the next envelopes. The connection is switched to `synchronous = NORMAL`,
 * which still syncs at checkpoints; every write the store acknowledges awaits `flush()`.
 *
 * Flushes run one at a time; callers that arrive while one runs share the next, since the running
 * one may have started before their commit. After a failed flush nothing is acknowledged again:
 * Linux may have dropped the unwritten pages (and reports that once), so the WAL on disk can have a
 * hole that only a restart, with SQLite's recovery reading the file, brings to light.
 */
export function createWalSync(db: Database.Database, options: WalSyncOptions): WalSync {
  if (db.memory) {
    return { flush: async () => {}, flushNow: () => {}, close: async () => {} };
  }
  const sync = options.fdatasync ?? fdatasync;
  const walPath = `${db.name}-wal`;
  db.pragma("synchronous = NORMAL");
  let fd: number | null = openSync(walPath, "r");
  let failure: LotwatchError | null = null;
  let running: Promise<void> | null = null;
  let waiting: Waiter[] = [];

  const descriptor = () => {
    if (fd === null)
      throw new LotwatchError("store_closed", "the store is closed (the ingest is shutting down)");
    return fd;
  };
  const fail = (error: unknown) => {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    failure = new LotwatchError(
      "store_sync_failed",
      `flushing the SQLite WAL "${walPath}" to disk failed (${code}); nothing more is acknowledged ` +
        "until the ingest restarts and SQLite recovers the file (gateways resend meanwhile)",
      { cause: error },
    );
    options.logger.error({ err: error, wal: walPath }, failure.message);
    return failure;
  };
  const run = () => {
    const batch = waiting;
    waiting = [];
    let done = () => {};
    // Set before the call: a flush that fails at once calls `finish` before `sync` returns.
    running = new Promise<void>((resolve) => {
      done = resolve;
    });
    const finish = (error: unknown) => {
      running = null;
      if (error) {
        const reason = failure ?? fail(error);
        for (const waiter of [...batch, ...waiting]) waiter.reject(reason);
        waiting = [];
      } else {
        for (const waiter of batch) waiter.resolve();
        if (waiting.length > 0) run();
      }
      done();
    };
    try {
      sync(descriptor(), finish);
    } catch (error) {
      finish(error);
    }
  };

  return {
    flush() {
      if (failure !== null) return Promise.reject(failure);
      return new Promise<void>((resolve, reject) => {
        waiting.push({ resolve, reject });
        if (running === null) run();
      });
    },
    flushNow() {
      if (failure !== null) throw failure;
      try {
        fdatasyncSync(descriptor());
      } catch (error) {
        throw fail(error);
      }
    },
    async close() {
      while (running !== null) await running;
      if (fd !== null) closeSync(fd);
      fd = null;
    },
  };
}
