import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A size-limited tmpfs: a file system that really fills up (ENOSPC). */
export interface Tmpfs {
  path: string;
  /** Appends to a file until the file system is full; returns its path and size. */
  fill(name: string): { path: string; bytes: number };
  /** Unmounts (lazily, so an open file cannot keep it) and removes the mount point. */
  remove(): void;
}

/** Mounting needs root (CAP_SYS_ADMIN); see `canMountTmpfs`. */
export function mountTmpfs(sizeBytes: number): Tmpfs {
  const path = mkdtempSync(join(tmpdir(), "lotwatch-tmpfs-"));
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${sizeBytes}`, "tmpfs", path], {
      stdio: "pipe",
      timeout: 10_000,
    });
  } catch (error) {
    rmSync(path, { recursive: true, force: true });
    throw error;
  }
  return {
    path,
    fill(name) {
      const file = join(path, name);
      // Halving chunks down to one page take the last free bytes too; a chunk that does not fit
      // may still be written in part before ENOSPC.
      for (let chunk = 1024 * 1024; chunk >= 4096; ) {
        try {
          writeFileSync(file, Buffer.alloc(chunk, 1), { flag: "a" });
        } catch {
          chunk /= 2;
        }
      }
      return { path: file, bytes: statSync(file).size };
    },
    remove() {
      try {
        execFileSync("umount", ["-l", path], { stdio: "pipe", timeout: 10_000 });
      } finally {
        rmSync(path, { recursive: true, force: true });
      }
    },
  };
}

/** Whether this process may mount a tmpfs (root in a privileged environment); tests skip otherwise. */
export function canMountTmpfs(): boolean {
  if (process.getuid?.() !== 0) return false;
  try {
    mountTmpfs(64 * 1024).remove();
    return true;
  } catch {
    return false;
  }
}
