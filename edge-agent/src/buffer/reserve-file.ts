import { randomBytes } from "node:crypto";
import { existsSync, renameSync, rmSync, statfsSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { Logger } from "../common/logger.js";

export interface ReserveFileOptions {
  /** Where the reserve lives: beside the buffer, on the same file system. */
  path: string;
  /** Its size; 0 disables it. */
  bytes: number;
  logger: Logger;
}

export interface ReserveFile {
  readonly bytes: number;
  /** Deletes the reserve so SQLite can checkpoint and drop on a full disk; true when there was one. */
  release(): boolean;
  /** Recreates the reserve when the file system has room for it and a quarter more; true when present. */
  restore(): boolean;
  present(): boolean;
}

/**
 * Space set aside for a full disk. In WAL mode every write, even a DELETE, first appends to the
 * WAL, and a checkpoint has to grow the main file by the pages the WAL added: on a really full file
 * system SQLite could not even drop rows. Deleting this file gives it room to checkpoint and make
 * space. Random content, so a compressing file system cannot make the reserve free.
 */
export function createReserveFile(options: ReserveFileOptions): ReserveFile {
  const { path, bytes, logger } = options;

  function roomFor(size: number): boolean {
    try {
      const fs = statfsSync(dirname(path));
      return fs.bavail * fs.bsize >= size;
    } catch {
      return false;
    }
  }

  const present = () => bytes > 0 && existsSync(path);

  return {
    bytes,
    release() {
      if (!present()) return false;
      rmSync(path, { force: true });
      logger.warn({ path, bytes }, "disk full: released the disk space reserve");
      return true;
    },
    restore() {
      if (bytes === 0) return false;
      if (existsSync(path)) return true;
      if (!roomFor(bytes + bytes / 4)) return false;
      const temporary = `${path}.tmp`;
      try {
        writeFileSync(temporary, randomBytes(bytes));
        renameSync(temporary, path);
        logger.info({ path, bytes }, "disk space reserve in place");
        return true;
      } catch (error) {
        rmSync(temporary, { force: true });
        logger.warn({ err: error, path }, "could not create the disk space reserve; will retry");
        return false;
      }
    },
    present,
  };
}
