import { setTimeout as sleep } from "node:timers/promises";
import type { Output } from "../outputs/output.js";
import { type SimReading, sourceOf } from "./sim-read.js";

export interface RunScenarioOptions {
  readings: readonly SimReading[];
  output: Output;
  /** Simulated seconds per real second; 0 = as fast as the output takes them. */
  speed: number;
  /** Only readings of these lanes/doors (all when absent): one simulator per gateway. */
  only?: ReadonlySet<string>;
  /** Readings per send when unpaced. Default 100. */
  batchSize?: number;
  signal: AbortSignal;
  onProgress?: (sent: number, total: number) => void;
}

export interface RunSummary {
  sent: number;
  bySource: Record<string, number>;
  durationMs: number;
  stopped: boolean;
}

/**
 * Sends the readings in order. Paced runs wait until each reading's simulated time, scaled by
 * `speed`, has come (a held-back backlog, later than its time, goes out at once); readings due
 * together go in one batch.
 */
export async function runScenario(options: RunScenarioOptions): Promise<RunSummary> {
  const selected = options.readings.filter(
    (r) => options.only === undefined || options.only.has(sourceOf(r)),
  );
  const batchSize = options.batchSize ?? 100;
  const started = performance.now();
  const firstAt = selected.length === 0 ? 0 : Date.parse((selected[0] as SimReading).occurredAt);
  const bySource: Record<string, number> = {};
  let sent = 0;
  let next = 0;
  while (next < selected.length && !options.signal.aborted) {
    const batch: SimReading[] = [];
    if (options.speed > 0) {
      const dueMs = (Date.parse((selected[next] as SimReading).occurredAt) - firstAt) / options.speed;
      const waitMs = dueMs - (performance.now() - started);
      if (waitMs > 0) await sleep(waitMs, undefined, { signal: options.signal }).catch(() => undefined);
      if (options.signal.aborted) break;
      const nowSim = firstAt + (performance.now() - started) * options.speed;
      while (
        next < selected.length &&
        batch.length < batchSize &&
        (batch.length === 0 || Date.parse((selected[next] as SimReading).occurredAt) <= nowSim)
      ) {
        batch.push(selected[next++] as SimReading);
      }
    } else {
      while (next < selected.length && batch.length < batchSize) batch.push(selected[next++] as SimReading);
    }
    await options.output.send(batch, options.signal);
    if (options.signal.aborted) break;
    for (const reading of batch) {
      const source = sourceOf(reading);
      bySource[source] = (bySource[source] ?? 0) + 1;
    }
    sent += batch.length;
    options.onProgress?.(sent, selected.length);
  }
  return {
    sent,
    bySource,
    durationMs: Math.round(performance.now() - started),
    stopped: options.signal.aborted,
  };
}
