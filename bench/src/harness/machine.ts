import { execFileSync } from "node:child_process";
import { cpus, freemem, loadavg, totalmem } from "node:os";

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryBytes: number;
  freeMemoryBytes: number;
  /** 1, 5 and 15 minute load averages when the run started. */
  loadAverage: number[];
  node: string;
  platform: string;
  gitCommit: string | null;
  /** Uncommitted changes in the working tree: the figures belong to the commit plus those. */
  gitDirty: boolean | null;
}

export function describeMachine(cwd = process.cwd()): MachineInfo {
  const cpuList = cpus();
  return {
    cpuModel: cpuList[0]?.model.trim() ?? "unknown",
    cores: cpuList.length,
    memoryBytes: totalmem(),
    freeMemoryBytes: freemem(),
    loadAverage: loadavg().map((value) => Math.round(value * 100) / 100),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    gitCommit: git(["rev-parse", "HEAD"], cwd),
    gitDirty: dirty(cwd),
  };
}

function git(args: string[], cwd: string): string | null {
  try {
    return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return null;
  }
}

function dirty(cwd: string): boolean | null {
  const status = git(["status", "--porcelain", "--untracked-files=no"], cwd);
  return status === null ? null : status.length > 0;
}
