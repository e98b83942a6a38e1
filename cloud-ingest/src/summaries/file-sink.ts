import { type FileHandle, open } from "node:fs/promises";
import { basename, dirname, extname, join } from "node:path";
import type { SummarySink } from "./summary-sink.js";

/**
 * The day's file for a record: `FILE` with the UTC day of `recordedAt` before its extension
 * (`out/summaries.jsonl` → `out/summaries-2026-11-22.jsonl`). The day comes from the record, not
 * the clock, so a record sent again after a crash goes to the same file.
 */
export function dailyFile(path: string, recordedAt: string): string {
  const extension = extname(path);
  const stem = basename(path, extension);
  return join(dirname(path), `${stem}-${recordedAt.slice(0, 10)}${extension}`);
}

/** The file sink's name, which keys its outbox cursor. */
export const FILE_SINK = "file";

/** Appends records as JSON lines to the day's file and fsyncs before `deliver` resolves. */
export function createFileSink(path: string): SummarySink {
  return {
    name: FILE_SINK,
    target: path,
    async deliver(records) {
      const byFile = new Map<string, string[]>();
      for (const record of records) {
        const file = dailyFile(path, record.recordedAt);
        byFile.set(file, [...(byFile.get(file) ?? []), JSON.stringify(record)]);
      }
      for (const [file, lines] of byFile) await appendDurably(file, lines);
    },
  };
}

async function appendDurably(file: string, lines: string[]): Promise<void> {
  const handle = await open(file, "a+");
  try {
    const { size } = await handle.stat();
    // A crash mid-write can leave a torn last line; start on a fresh line so ours stay whole.
    const torn = size > 0 && !(await endsWithNewline(handle, size));
    await handle.write(`${torn ? "\n" : ""}${lines.join("\n")}\n`);
    await handle.sync();
    if (size === 0) await syncDirectory(dirname(file));
  } finally {
    await handle.close();
  }
}

async function endsWithNewline(handle: FileHandle, size: number): Promise<boolean> {
  const last = Buffer.alloc(1);
  await handle.read(last, 0, 1, size - 1);
  return last[0] === 0x0a;
}

/** A new file's name is durable only once its directory is synced. */
async function syncDirectory(path: string): Promise<void> {
  const handle = await open(path, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
