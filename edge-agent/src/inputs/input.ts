import type { Reading } from "@lotwatch/protocol/events.js";
import type { Logger } from "../common/logger.js";
import type { PushEndpoints } from "./camera-http/push-endpoints.js";

/**
 * Why a line, frame or request was skipped; one metric label per reason. Line inputs use the first
 * six; `checksum` is a line whose NMEA-style checksum does not match; `unauthorized` and `too-large`
 * are refused camera pushes; `crc` and `frame` are Modbus answers that failed their CRC or made no
 * sense.
 */
export type MalformedReason =
  | "encoding"
  | "json"
  | "fields"
  | "schema"
  | "overlong"
  | "partial"
  | "checksum"
  | "unauthorized"
  | "too-large"
  | "crc"
  | "frame";

/** Where an input hands its readings: the pipeline commits them and resolves once they are durable. */
export type ReadingSink = (readings: Reading[]) => Promise<void>;

/** Counters an input reports to; the agent backs them with metrics. */
export interface InputObserver {
  malformed(reason: MalformedReason): void;
  /** The source (port, connection) opened or closed. */
  connected(up: boolean): void;
  /** An outage began: the source vanished or could not be opened. */
  outage(): void;
  /** One poll of a device on a bus (a Modbus unit, labelled `sensor`) and how it ended. */
  sensorPolled(sensor: string, result: PollResult): void;
  /** A polled device went silent (false) or answers again (true). */
  sensorOnline(sensor: string, online: boolean): void;
}

/** How one poll of a bus device ended. */
export type PollResult = "ok" | "timeout" | "crc" | "exception" | "frame";

export interface InputContext {
  sink: ReadingSink;
  logger: Logger;
  observer: InputObserver;
  /** Where push inputs (camera-http) register for their HTTP route; the agent's API serves them. */
  pushEndpoints?: PushEndpoints;
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
