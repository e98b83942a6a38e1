import { readFileSync } from "node:fs";

/** Resident memory of a process (VmRSS of /proc/<pid>/status), in bytes; null once it is gone. */
export function residentBytes(pid: number): number | null {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match === null ? null : Number(match[1]) * 1024;
  } catch {
    return null;
  }
}

export interface MemorySampler {
  /** The highest resident memory seen across every process sampled. */
  peakBytes(): number;
  stop(): void;
}

/** Samples the resident memory of whatever process `pid()` names now, every `intervalMs`. */
export function sampleMemory(pid: () => number | null, intervalMs = 250): MemorySampler {
  let peak = 0;
  const timer = setInterval(() => {
    const current = pid();
    const bytes = current === null ? null : residentBytes(current);
    if (bytes !== null && bytes > peak) peak = bytes;
  }, intervalMs);
  return {
    peakBytes: () => peak,
    stop: () => clearInterval(timer),
  };
}
