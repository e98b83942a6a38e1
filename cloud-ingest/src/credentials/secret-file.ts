import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";

/**
 * Replaces `file` atomically with mode 0600: written and fsynced under a temporary name in the same
 * directory, then renamed over the old one, so a crash leaves either the old or the new file.
 * Throws the file system's error (after removing the temporary file).
 */
export function writeSecretFile(file: string, text: string): void {
  const temporary = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  try {
    rmSync(temporary, { force: true });
    // "wx": a fresh file, so the 0600 mode applies even if a stale temporary was left behind.
    const fd = openSync(temporary, "wx", 0o600);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
  syncDirectory(dirname(file));
}

/** Makes the rename itself durable; some filesystems refuse to fsync a directory, which is harmless. */
function syncDirectory(directory: string): void {
  try {
    const fd = openSync(directory, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Best effort: the file content itself is already fsynced.
  }
}
