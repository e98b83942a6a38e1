import { statSync } from "node:fs";
import type { LotwatchError } from "@lotwatch/protocol/errors.js";
import type Database from "better-sqlite3";
import type { Logger } from "../common/logger.js";
import { checkpoint, checkpointCompletes, createDiskFullState, freeRoom, isDiskFull } from "./disk-full.js";
import { DEFAULT_WAL_CHECKPOINT_BYTES } from "./open-database.js";
import { createReserveFile } from "./reserve-file.js";
import type { DropReport, Retention } from "./retention.js";
import type { BufferHealth } from "./types.js";

export interface DiskSpaceOptions {
  db: Database.Database;
  path: string;
  retention: Retention;
  reserveBytes: number;
  logger: Logger;
  now: () => Date;
  /** Rows pending now. */
  depth: () => number;
  /** Book-keeping for a committed drop. */
  onDrop: (report: DropReport) => void;
}

export interface DiskSpace {
  /**
   * The most row bytes one commit transaction should write (Infinity without a reserve): its WAL
   * must fit in the released reserve, or a full disk leaves SQLite unable to checkpoint or drop.
   */
  readonly maxCommitBytes: number;
  /** Before new readings: remakes a reserve that a full disk used, dropping the oldest if needed. */
  beforeCommit(): void;
  /** Runs a write that frees space (an ack's DELETE); on SQLITE_FULL checkpoints, releases the reserve, retries once. */
  freeing<T>(run: () => T): T;
  /** Runs a commit; on SQLITE_FULL makes room (when allowed) and retries. "full" when it cannot fit. */
  commit<T>(run: () => T, makeRoom: boolean): T | "full";
  /** After a commit went through: ends a refusal, remakes the reserve, notices failing checkpoints. */
  committed(): void;
  /** Readings refused for want of space: the error to reject them with. */
  refuse(count: number): LotwatchError;
  health(): Pick<BufferHealth, "reserve" | "diskFull" | "diskFullSince" | "diskFullEvents" | "refused">;
}

// Each retry after SQLITE_FULL drops more first; an accept that never fits is refused.
const MAX_ROOM_ATTEMPTS = 30;
const RESTORE_EVERY_MS = 30_000;

/** The WAL size at which to checkpoint: small enough that a checkpoint always fits in a released reserve. */
export function walCheckpointBytesFor(reserveBytes: number): number | undefined {
  if (reserveBytes === 0) return undefined;
  return Math.min(DEFAULT_WAL_CHECKPOINT_BYTES, Math.max(64 * 1024, reserveBytes / 4));
}

/** The buffer's answer to a full disk: make room by the cap policy, else refuse and keep serving. */
export function createDiskSpace(options: DiskSpaceOptions): DiskSpace {
  const { db, retention, logger } = options;
  const reserve = createReserveFile({ path: `${options.path}-reserve`, bytes: options.reserveBytes, logger });
  const walCheckpointBytes = walCheckpointBytesFor(options.reserveBytes) ?? DEFAULT_WAL_CHECKPOINT_BYTES;
  const state = createDiskFullState({ path: options.path, logger, now: options.now });
  let lastRestore = performance.now();
  // Set once a full disk used the reserve: then it is made again before new readings take the room.
  let reserveUsed = false;
  reserve.restore();

  function release(): boolean {
    if (!reserve.release()) return false;
    reserveUsed = true;
    return true;
  }

  function makeRoom(): boolean {
    const report = freeRoom({ db, retention, reserve, depth: options.depth() });
    if (!reserve.present()) reserveUsed = options.reserveBytes > 0;
    if (report === null) return false;
    options.onDrop(report);
    return true;
  }

  function walFileBytes(): number {
    try {
      return statSync(`${options.path}-wal`).size;
    } catch {
      return 0;
    }
  }

  /**
   * SQLite ignores a failed automatic checkpoint, so a nearly full disk first shows as a WAL that
   * keeps growing. Making room then, while the released reserve can absorb a checkpoint, avoids
   * reaching the point where not even a drop can be written. (A WAL that is merely large after a
   * big transaction checkpoints fine.)
   */
  function makeRoomIfCheckpointsFail(): void {
    if (!reserve.present() || walFileBytes() <= 2 * walCheckpointBytes || checkpointCompletes(db)) return;
    logger.warn({ walBytes: walFileBytes() }, "the WAL is not being checkpointed: the disk is nearly full");
    state.hit();
    try {
      makeRoom();
    } catch (error) {
      logger.error({ err: error }, "could not make room on a nearly full disk");
    }
  }

  return {
    maxCommitBytes: options.reserveBytes > 0 ? walCheckpointBytes : Number.POSITIVE_INFINITY,
    beforeCommit() {
      if (!reserveUsed) return;
      if (reserve.restore()) {
        reserveUsed = false;
        return;
      }
      // Space came back, but not enough for the reserve: new readings would take what it needs.
      if (!state.mayTryToFreeRoom()) return;
      try {
        makeRoom();
      } catch (error) {
        logger.error({ err: error }, "could not make room for the disk space reserve");
      }
      if (reserve.present()) reserveUsed = false;
    },
    freeing(run) {
      try {
        return run();
      } catch (error) {
        if (!isDiskFull(error)) throw error;
        state.hit();
      }
      // Even a DELETE is written to the WAL first: empty the WAL into the main file and try again,
      // then with the reserve's room.
      checkpoint(db);
      try {
        return run();
      } catch (error) {
        if (!isDiskFull(error) || !release()) throw error;
      }
      checkpoint(db);
      return run();
    },
    commit(run, allowedToDrop) {
      for (let attempt = 0; attempt < MAX_ROOM_ATTEMPTS; attempt++) {
        try {
          return run();
        } catch (error) {
          if (!isDiskFull(error)) throw error;
          state.hit();
          if (!allowedToDrop || !state.mayTryToFreeRoom() || !makeRoom()) return "full";
        }
      }
      return "full";
    },
    committed() {
      state.committed();
      if (performance.now() - lastRestore >= RESTORE_EVERY_MS) {
        lastRestore = performance.now();
        reserve.restore();
      }
      makeRoomIfCheckpointsFail();
    },
    refuse: (count) => state.refuse(count),
    health: () => ({ reserve: reserve.present(), ...state.snapshot() }),
  };
}
