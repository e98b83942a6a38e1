import type { SimReading } from "../scenario/sim-read.js";

/** Where a scenario's readings go: a serial line (pty or TCP), the agent's camera HTTP push, or MQTT. */
export interface Output {
  /** Describes the destination for logs and the ready file. */
  readonly describe: Record<string, unknown>;
  /** Resolves once the batch is handed over (written, acknowledged or answered 202). */
  send(batch: readonly SimReading[], signal: AbortSignal): Promise<void>;
  /** Flushes what was sent and releases the destination. */
  close(): Promise<void>;
}

/** One reading per line, the jsonl format of DESIGN.md. */
export function toLines(batch: readonly SimReading[]): Buffer {
  return Buffer.from(batch.map((reading) => `${JSON.stringify(reading)}\n`).join(""));
}
