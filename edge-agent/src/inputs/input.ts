import type { Reading } from "@lotwatch/protocol/events.js";
import type { Logger } from "../common/logger.js";

/** Why a line or frame was skipped; one metric label per reason. */
export type MalformedReason = "encoding" | "json" | "fields" | "schema" | "overlong" | "partial";

/** Where an input hands its readings: the pipeline commits them and resolves once they are durable. */
export type ReadingSink = (readings: Reading[]) => Promise<void>;

/** Counters an input reports to; the agent backs them with metrics. */
export interface InputObserver {
  malformed(reason: MalformedReason): void;
  /** The source (port, connection) opened or closed. */
  connected(up: boolean): void;
  /** An outage began: the source vanished or could not be opened. */
  outage(): void;
}

export interface InputContext {
  sink: ReadingSink;
  logger: Logger;
  observer: InputObserver;
}

/** One source of readings. Inputs never touch SQLite or MQTT; they only call their sink. */
export interface Input {
  readonly name: string;
  readonly type: string;
  /** Begins reading; failures to open are retried in the background, never thrown. */
  start(): void;
  /** Stops reading and releases the source; readings already handed to the sink stay handed. */
  close(): Promise<void>;
}

export type InputFactory<Config> = (config: Config, context: InputContext) => Input;
