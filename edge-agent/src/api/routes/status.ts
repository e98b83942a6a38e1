import { Hono } from "hono";

/** The buffer's size, caps and disk state (sizes in bytes, ages in ms; null when no cap). */
export interface BufferStatus {
  bytes: number;
  maxBytes: number | null;
  maxAgeMs: number | null;
  /** The disk space reserve (buffer.reserve) is in place; false after a full disk used it. */
  reserve: boolean;
  /** True while readings are refused: the disk is full and no reading is left to drop. */
  diskFull: boolean;
  diskFullSince: string | null;
  /** SQLITE_FULL answers since this process started. */
  diskFullEvents: number;
  /** Readings refused since this process started. */
  refused: number;
}

/** What `GET /v1/status` answers (and `lotwatch-agent status` prints). */
export interface AgentStatus {
  gateway: string;
  site: string;
  version: string;
  bootId: string;
  uptimeMs: number;
  /** Connected to the MQTT broker. */
  connected: boolean;
  /** Events in the buffer not yet acknowledged by the broker. */
  backlog: number;
  oldestPendingAt: string | null;
  lastAckAt: string | null;
  /** Readings committed to the buffer since this process started. */
  accepted: number;
  /** Lines skipped as malformed since this process started. */
  malformed: number;
  /** Readings dropped by the cap policy (and reported by gap events) since the buffer was created. */
  dropped: number;
  buffer: BufferStatus;
  /** The clock detector's answer; null when it cannot tell. */
  clockSynced: boolean | null;
}

export function statusRoutes(status: () => AgentStatus): Hono {
  return new Hono().get("/v1/status", (c) => c.json(status()));
}
