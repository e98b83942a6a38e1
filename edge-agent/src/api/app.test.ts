import { describe, expect, it } from "vitest";
import { createSilentLogger } from "../common/logger.js";
import { createAgentMetrics } from "../metrics/agent-metrics.js";
import { createApiApp } from "./app.js";
import type { CountsAnswer } from "./routes/counts.js";
import type { AgentStatus } from "./routes/status.js";

const STATUS: AgentStatus = {
  gateway: "gw-1",
  site: "mall-a",
  version: "0.1.0",
  bootId: "boot-a",
  uptimeMs: 1000,
  connected: true,
  backlog: 3,
  oldestPendingAt: "2026-11-22T10:00:00.000Z",
  lastAckAt: null,
  accepted: 10,
  malformed: 2,
  dropped: 0,
  buffer: {
    bytes: 65_536,
    maxBytes: null,
    maxAgeMs: null,
    reserve: true,
    diskFull: false,
    diskFullSince: null,
    diskFullEvents: 0,
    refused: 0,
  },
  clockSynced: null,
};

const COUNTS: CountsAnswer = {
  gateway: "gw-1",
  site: "mall-a",
  at: "2026-11-22T10:00:30.000Z",
  since: "2026-11-01T00:00:00.000Z",
  lanes: [{ lane: "entry-1", entries: 5, exits: 2, net: 3, lastAt: "2026-11-22T10:00:00.000Z" }],
  doors: [],
  slots: [
    { slot: "L1-001", occupied: true, since: "2026-11-22T09:00:00.000Z", lastAt: "2026-11-22T09:00:00.000Z" },
  ],
};

function setup() {
  const metrics = createAgentMetrics({
    processMetrics: false,
    now: () => Date.parse("2026-11-22T10:00:30.000Z"),
    sources: {
      depth: () => 3,
      oldestPendingAt: () => "2026-11-22T10:00:00.000Z",
      connected: () => true,
      bufferBytes: () => 65_536,
      diskFull: () => true,
      diskFullEvents: () => 4,
      clockSynced: () => false,
    },
  });
  const app = createApiApp({
    status: () => STATUS,
    counts: () => COUNTS,
    registry: metrics.registry,
    logger: createSilentLogger(),
  });
  return { app, metrics };
}

describe("createApiApp", () => {
  it("answers /healthz", async () => {
    const response = await setup().app.request("/healthz");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
  });

  it("answers /v1/status with the agent's status", async () => {
    const response = await setup().app.request("/v1/status");
    expect(await response.json()).toEqual(STATUS);
  });

  it("answers /v1/counts with the local counts", async () => {
    const response = await setup().app.request("/v1/counts");
    expect(await response.json()).toEqual(COUNTS);
  });

  it("exports lotwatch_agent_ metrics in the Prometheus format", async () => {
    const { app, metrics } = setup();
    const observer = metrics.observerFor("cam0");
    metrics.readingsAccepted("cam0", 5);
    observer.malformed("json");
    observer.malformed("json");
    observer.malformed("overlong");
    observer.connected(true);
    observer.outage();
    metrics.batchAcked(5, 0.02);
    metrics.readingsDropped("buffer-cap-bytes", 7);
    metrics.acceptFailed("cam0", 2, "disk-full");
    const response = await app.request("/metrics");
    expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
    const text = await response.text();
    expect(text).toContain('lotwatch_agent_readings_accepted_total{input="cam0"} 5');
    expect(text).toContain('lotwatch_agent_malformed_lines_total{input="cam0",reason="json"} 2');
    expect(text).toContain('lotwatch_agent_malformed_lines_total{input="cam0",reason="overlong"} 1');
    expect(text).toContain('lotwatch_agent_input_up{input="cam0"} 1');
    expect(text).toContain('lotwatch_agent_input_outages_total{input="cam0"} 1');
    expect(text).toContain("lotwatch_agent_buffer_depth 3");
    expect(text).toContain("lotwatch_agent_oldest_pending_age_seconds 30");
    expect(text).toContain("lotwatch_agent_connected 1");
    expect(text).toContain("lotwatch_agent_batches_acked_total 1");
    expect(text).toContain("lotwatch_agent_publish_latency_seconds_count 1");
    expect(text).toContain('lotwatch_agent_readings_dropped_total{reason="buffer-cap-bytes"} 7');
    expect(text).toContain('lotwatch_agent_readings_dropped_total{reason="buffer-cap-age"} 0');
    expect(text).toContain('lotwatch_agent_readings_refused_total{input="cam0",reason="disk-full"} 2');
    expect(text).toContain("lotwatch_agent_disk_full_total 4");
    expect(text).toContain("lotwatch_agent_buffer_disk_full 1");
    expect(text).toContain("lotwatch_agent_buffer_bytes 65536");
    expect(text).toContain("lotwatch_agent_clock_synced 0");
    expect(metrics.totals()).toEqual({ accepted: 5, malformed: 3 });
  });

  it("answers unknown paths with a JSON 404", async () => {
    const response = await setup().app.request("/v2/nothing");
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: { code: "NOT_FOUND", message: "no route for GET /v2/nothing" },
    });
  });
});
