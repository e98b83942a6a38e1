import { Hono } from "hono";

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
}

export function statusRoutes(status: () => AgentStatus): Hono {
  return new Hono().get("/v1/status", (c) => c.json(status()));
}
