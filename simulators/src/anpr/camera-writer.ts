import { type FileHandle, open } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { LotwatchError } from "@lotwatch/protocol/errors.js";
import { openDeviceWriter } from "../pty/device-writer.js";
import type { AnprReading } from "./anpr-reading.js";
import { formatReading, type LineFormat } from "./line-format.js";
import { type AnprSummary, createSummaryCounter } from "./summary.js";

export interface CameraProgress {
  sent: number;
  elapsedMs: number;
}

export interface CameraWriterOptions {
  /** The simulator's end of a pty pair (or any writable device). */
  devicePath: string;
  reads: Iterable<AnprReading>;
  /** Reads per second in real time; 0 sends as fast as the device takes them. Default 50. */
  rate?: number;
  format?: LineFormat;
  /** Appends each read that went out as a JSON line: the ground truth, whatever the format. */
  logPath?: string;
  onProgress?: (progress: CameraProgress) => void;
  signal?: AbortSignal;
}

export interface CameraRunSummary extends AnprSummary {
  durationMs: number;
}

/** Most lines put in one write(2); bounds memory when a slow reader lets reads pile up. */
const MAX_BATCH = 256;

/** Sends reads to the device at a steady rate, counting only the ones that fully went out. */
export async function writeCameraReads(options: CameraWriterOptions): Promise<CameraRunSummary> {
  const { rate = 50, format = "jsonl", signal, onProgress } = options;
  if (!(Number.isFinite(rate) && rate >= 0)) {
    throw new LotwatchError("BAD_RATE", `rate must be a number ≥ 0, got ${rate}`);
  }
  const device = await openDeviceWriter(options.devicePath);
  const log =
    options.logPath === undefined
      ? undefined
      : await openLog(options.logPath).catch(async (error: unknown) => {
          await device.close();
          throw error;
        });
  const summary = createSummaryCounter();
  const started = performance.now();
  const reads = options.reads[Symbol.iterator]();
  let sent = 0;
  let exhausted = false;

  try {
    while (!exhausted && !signal?.aborted) {
      const wait = rate === 0 ? 0 : started + (sent * 1000) / rate - performance.now();
      if (wait > 0) {
        await sleep(wait, undefined, { signal }).catch(() => undefined);
        continue;
      }
      // Everything due by now, so a late timer catches up instead of drifting.
      const due =
        rate === 0 ? MAX_BATCH : Math.floor(((performance.now() - started) * rate) / 1000) + 1 - sent;
      const batch: AnprReading[] = [];
      while (batch.length < Math.min(due, MAX_BATCH)) {
        const next = reads.next();
        if (next.done) {
          exhausted = true;
          break;
        }
        batch.push(next.value);
      }
      if (batch.length === 0) break;

      const lines = batch.map((reading) => `${formatReading(reading, format)}\n`);
      const written = await device.write(Buffer.from(lines.join("")), { signal });
      const complete = completeLines(lines, written);
      for (const reading of batch.slice(0, complete)) summary.add(reading);
      if (log) await appendLog(log, batch.slice(0, complete));
      sent += complete;
      onProgress?.({ sent, elapsedMs: performance.now() - started });
      if (complete < batch.length) break;
    }
  } finally {
    await Promise.all([device.close(), log?.close()]);
  }
  return { ...summary.result(), durationMs: Math.round(performance.now() - started) };
}

/** How many lines lie wholly within the first `bytes` bytes. */
function completeLines(lines: string[], bytes: number): number {
  let end = 0;
  for (let i = 0; i < lines.length; i++) {
    end += Buffer.byteLength(lines[i] as string);
    if (end > bytes) return i;
  }
  return lines.length;
}

async function openLog(path: string): Promise<FileHandle> {
  try {
    return await open(path, "a");
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new LotwatchError("LOG_OPEN_FAILED", `cannot open the log file ${path}: ${message}`, {
      cause: error,
    });
  }
}

async function appendLog(log: FileHandle, reads: AnprReading[]): Promise<void> {
  if (reads.length === 0) return;
  await log.appendFile(reads.map((reading) => `${JSON.stringify(reading)}\n`).join(""));
}
