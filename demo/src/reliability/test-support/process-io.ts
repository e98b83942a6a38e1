import { readFileSync } from "node:fs";

/** Bytes a process wrote, from /proc/<pid>/io. */
export interface ProcessIo {
  /** Bytes handed to write()-like calls (the WAL, the database, logs, sockets excluded). */
  wchar: number;
  /** Bytes the process caused to be sent to the block device (dirtied page-cache pages). */
  writeBytes: number;
  /** Dirtied bytes that were truncated away before reaching the device. */
  cancelledWriteBytes: number;
}

export function readProcessIo(pid: number): ProcessIo {
  const fields = new Map<string, number>();
  for (const line of readFileSync(`/proc/${pid}/io`, "utf8").split("\n")) {
    const [key, value] = line.split(": ");
    if (key !== undefined && value !== undefined) fields.set(key, Number(value));
  }
  return {
    wchar: fields.get("wchar") ?? 0,
    writeBytes: fields.get("write_bytes") ?? 0,
    cancelledWriteBytes: fields.get("cancelled_write_bytes") ?? 0,
  };
}

/** What a process wrote between two readings. */
export function ioBetween(before: ProcessIo, after: ProcessIo): ProcessIo {
  return {
    wchar: after.wchar - before.wchar,
    writeBytes: after.writeBytes - before.writeBytes,
    cancelledWriteBytes: after.cancelledWriteBytes - before.cancelledWriteBytes,
  };
}
