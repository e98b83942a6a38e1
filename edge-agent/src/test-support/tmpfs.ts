import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Tmpfs {
  path: string;
  /** Unmounts (lazily, so an open file cannot keep it) and removes the mount point. */
  remove(): void;
}

/** A size-limited tmpfs: a file system that really fills up. Needs root (CAP_SYS_ADMIN). */
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
