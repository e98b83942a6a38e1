import { LotwatchError } from "@lotwatch/protocol/errors.js";
import type Database from "better-sqlite3";
import type { Logger } from "../common/logger.js";
import type { ReserveFile } from "./reserve-file.js";
import { type DropReport, mergeDrops, type Retention } from "./retention.js";
import type { BufferHealth } from "./types.js";

/** SQLite's answer when the file cannot grow: ENOSPC, a quota, or max_page_count. */
export function isDiskFull(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("SQLITE_FULL");
}

export interface FreeRoomOptions {
  db: Database.Database;
  retention: Retention;
  reserve: ReserveFile;
  /** Rows pending now; the first drop takes a fraction of them. */
  depth: number;
  /** Share of the pending rows dropped per attempt (default 10%). */
  fraction?: number;
}

// Small enough to keep most of a small buffer, large enough that one drop frees whole pages.
const MIN_DROP = 100;
const RETRY_FREE_MS = 5000;
const MIN_STEP_BYTES = 16 * 1024;

/**
 * After SQLITE_FULL: drops the oldest readings (with their gap events) so a retry can commit; their
 * pages stay in the file, free for the new rows. On a real file system the WAL is checkpointed and
 * emptied first, releasing the reserve file when that does not fit, and the drop goes in steps of
 * a quarter of the reserve with a checkpoint after each, because every step is written to the WAL
 * before it frees anything. Then the file is shrunk and the reserve made again for the next time.
 * Null when nothing could be dropped.
 */
export function freeRoom(options: FreeRoomOptions): DropReport | null {
  const { db, retention, reserve } = options;
  if (!checkpoint(db) && reserve.release()) checkpoint(db);
  const stepBytes = Math.max(MIN_STEP_BYTES, reserve.bytes / 4);
  // Enough to make the reserve again, with a step's worth of room to spare.
  const goal = {
    count: Math.max(MIN_DROP, Math.ceil(options.depth * (options.fraction ?? 0.1))),
    bytes: reserve.bytes === 0 ? 0 : reserve.bytes + stepBytes,
  };
  let step = reserve.bytes > 0 ? { count: 1, bytes: stepBytes } : goal;
  let report: DropReport | null = null;
  while ((report?.dropped ?? 0) < goal.count || (report?.bytes ?? 0) < goal.bytes) {
    let next: DropReport | null;
    try {
      next = retention.dropOldest(step, "disk-full");
    } catch (error) {
      if (!isDiskFull(error)) throw error;
      if (reserve.release()) checkpoint(db);
      else if (step.bytes > MIN_STEP_BYTES) step = { count: 1, bytes: step.bytes / 2 };
      else break;
      continue;
    }
    if (next === null) break;
    report = mergeDrops(report, next);
    checkpoint(db);
  }
  if (report !== null && reserve.bytes > 0) {
    shrink(db, goal.bytes, stepBytes);
    reserve.restore();
  }
  return report;
}

/**
 * Hands up to `bytes` of free pages back to the file system, in steps whose WAL (the moved pages,
 * their parents and pointer maps, about four pages per page moved) fits in `stepBytes`; on a full
 * disk a larger step would not. Stops at the first step that does not fit. The other free pages
 * stay in the file for new rows.
 */
function shrink(db: Database.Database, bytes: number, stepBytes: number): void {
  const pageSize = db.pragma("page_size", { simple: true }) as number;
  const stepPages = Math.max(4, Math.floor(stepBytes / pageSize / 4));
  const pageCount = () => db.pragma("page_count", { simple: true }) as number;
  const target = pageCount() - Math.ceil(bytes / pageSize);
  while (pageCount() > target && (db.pragma("freelist_count", { simple: true }) as number) > 0) {
    try {
      db.pragma(`incremental_vacuum(${stepPages})`);
    } catch {
      return;
    }
    if (!checkpoint(db)) return;
  }
}

/**
 * Whether a checkpoint can copy the whole WAL into the main file. SQLite ignores a failed automatic
 * checkpoint, so this is how a disk that has no room left for the main file to grow shows first.
 */
export function checkpointCompletes(db: Database.Database): boolean {
  try {
    const [result] = db.pragma("wal_checkpoint(PASSIVE)") as Array<{
      busy: number;
      log: number;
      checkpointed: number;
    }>;
    return result !== undefined && result.busy === 0 && result.log === result.checkpointed;
  } catch {
    return false;
  }
}

/** Copies the WAL into the main file and truncates it; false when that failed (no room) or was blocked. */
export function checkpoint(db: Database.Database): boolean {
  try {
    const [result] = db.pragma("wal_checkpoint(TRUNCATE)") as Array<{ busy: number }>;
    return result?.busy === 0;
  } catch {
    return false;
  }
}

export interface DiskFullStateOptions {
  path: string;
  logger: Logger;
  now: () => Date;
}

export interface DiskFullState {
  /** SQLite answered SQLITE_FULL to a commit. */
  hit(): void;
  /** While refusing, dropping is retried at most every few seconds: it failed, and costs a scan. */
  mayTryToFreeRoom(): boolean;
  /** Readings were refused; the first refusal of an episode is logged. Returns the error to reject with. */
  refuse(count: number): LotwatchError;
  /** A commit went through; the end of an episode is logged. */
  committed(): void;
  snapshot(): Pick<BufferHealth, "diskFull" | "diskFullSince" | "diskFullEvents" | "refused">;
}

/** Whether the buffer is refusing readings for want of disk space, since when, and how many. */
export function createDiskFullState(options: DiskFullStateOptions): DiskFullState {
  const { logger, now } = options;
  let since: Date | null = null;
  let lastTry = 0;
  let events = 0;
  let refused = 0;
  return {
    hit() {
      events++;
    },
    mayTryToFreeRoom() {
      if (since !== null && performance.now() - lastTry < RETRY_FREE_MS) return false;
      lastTry = performance.now();
      return true;
    },
    refuse(count) {
      refused += count;
      if (since === null) {
        since = now();
        logger.error(
          { path: options.path, refused: count },
          "disk full and no reading left to drop: refusing readings until there is room",
        );
      }
      return new LotwatchError(
        "BUFFER_FULL",
        `the disk holding ${options.path} is full and the buffer has no reading left to drop; ` +
          `${count} reading(s) refused. Free space on that disk: the agent retries with every new reading`,
      );
    },
    committed() {
      if (since === null) return;
      logger.info({ downMs: now().getTime() - since.getTime(), refused }, "disk has room again");
      since = null;
    },
    snapshot: () => ({
      diskFull: since !== null,
      diskFullSince: since?.toISOString() ?? null,
      diskFullEvents: events,
      refused,
    }),
  };
}
