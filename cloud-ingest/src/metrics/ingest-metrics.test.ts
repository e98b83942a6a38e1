import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createApp } from "../api/app.js";
import { createMessageHandler, type MessageHandler } from "../ingest/handle-message.js";
import { createSilentLogger } from "../logging/create-logger.js";
import { createSqliteStore } from "../store/sqlite/sqlite-store.js";
import type { Store } from "../store/store.js";
import {
  at,
  createTempDir,
  envelope,
  payload,
  T0,
  type TempDir,
  testTopology,
  vehicle,
} from "../test-support/fixtures.js";
import { createIngestMetrics, type IngestMetrics } from "./ingest-metrics.js";
import { createMeteredStore } from "./metered-store.js";

const logger = createSilentLogger();
const EVENTS = "lotwatch/v1/mall-a/gw-1/events";
const STATUS = "lotwatch/v1/mall-a/gw-1/status";
let dir: TempDir;
let store: Store;
let metrics: IngestMetrics;
let handler: MessageHandler;
let now: number;

beforeEach(() => {
  dir = createTempDir();
  now = T0 + 60_000;
  metrics = createIngestMetrics({ now: () => now });
  store = createSqliteStore({
    path: dir.file("ingest.db"),
    topology: testTopology(),
    logger,
    onNegativeCount: (negative) => metrics.observeNegativeCount(negative),
  });
  metrics.readFrom(store);
  handler = createMessageHandler({
    store: createMeteredStore(store, metrics),
    maxPayloadBytes: 4096,
    now: () => now,
    logger,
  });
});

afterEach(async () => {
  await store.close();
  dir.remove();
});

/** `name{labels} value` lines of GET /metrics, as a map. */
async function scrape(): Promise<Map<string, number>> {
  const app = createApp({ store, topology: testTopology(), metrics: metrics.registry, logger });
  const response = await app.request("/metrics");
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  const values = new Map<string, number>();
  for (const line of (await response.text()).split("\n")) {
    const match = /^(lotwatch_ingest_\S+) (\S+)$/.exec(line);
    if (match) values.set(match[1] as string, Number(match[2]));
  }
  return values;
}

describe("ingest metrics", () => {
  it("counts events in, duplicates and unknown sources, and observes latency and commit time", async () => {
    const batch = [
      vehicle("vehicle.entry", "entry-1", 1, at(0)),
      vehicle("vehicle.entry", "entry-1", 2, at(59_000)),
      vehicle("vehicle.entry", "no-such-lane", 3, at(59_990)),
    ];
    await handler.handleMessage(EVENTS, payload(envelope("gw-1", batch)));
    await handler.handleMessage(EVENTS, payload(envelope("gw-1", batch.slice(0, 2))));
    const values = await scrape();
    expect(values.get("lotwatch_ingest_events_total")).toBe(3);
    expect(values.get("lotwatch_ingest_duplicates_total")).toBe(2);
    expect(values.get("lotwatch_ingest_unknown_source_total")).toBe(1);
    // Latencies 60 s, 1 s and 10 ms; the resent batch adds none.
    expect(values.get("lotwatch_ingest_event_latency_seconds_count")).toBe(3);
    expect(values.get("lotwatch_ingest_event_latency_seconds_sum")).toBeCloseTo(61.01, 5);
    expect(values.get('lotwatch_ingest_event_latency_seconds_bucket{le="0.01"}')).toBe(1);
    expect(values.get('lotwatch_ingest_event_latency_seconds_bucket{le="1"}')).toBe(2);
    expect(values.get("lotwatch_ingest_commit_duration_seconds_count")).toBe(2);
  });

  it("counts rejections by class of reason", async () => {
    const good = vehicle("vehicle.entry", "entry-1", 1, at(0));
    await handler.handleMessage(EVENTS, Buffer.from("not json"));
    await handler.handleMessage(EVENTS, Buffer.alloc(5000, "x"));
    await handler.handleMessage(EVENTS, payload({ ...envelope("gw-1", [good]), v: 2 }));
    await handler.handleMessage(EVENTS, payload({ v: 1, gateway: "gw-1" }));
    await handler.handleMessage(EVENTS, payload(envelope("gw-1", [good, { ...good, seq: "two" }])));
    await handler.handleMessage("lotwatch/v1/mall-a/gw-1/other", payload({}));
    await handler.handleMessage(STATUS, payload({ v: 1, gateway: "gw-1" }));
    const values = await scrape();
    const rejected = (kind: string) => values.get(`lotwatch_ingest_rejected_total{class="${kind}"}`);
    expect(
      ["not_json", "too_large", "version", "envelope", "event", "topic", "status"].map((kind) => [
        kind,
        rejected(kind),
      ]),
    ).toEqual([
      ["not_json", 1],
      ["too_large", 1],
      ["version", 1],
      ["envelope", 1],
      ["event", 1],
      ["topic", 1],
      ["status", 1],
    ]);
    expect(values.get("lotwatch_ingest_events_total")).toBe(1);
    expect((await store.listRejected(100)).length).toBe(7);
  });

  it("counts a failed commit and lets the error through", async () => {
    await store.close();
    await expect(
      handler.handleMessage(
        EVENTS,
        payload(envelope("gw-1", [vehicle("vehicle.entry", "entry-1", 1, at(0))])),
      ),
    ).rejects.toThrow(/closed/);
    store = createSqliteStore({ path: dir.file("ingest.db"), topology: testTopology(), logger });
    expect(
      (await metrics.registry.getSingleMetricAsString("lotwatch_ingest_commit_failures_total")).trim(),
    ).toMatch(/ 1$/);
  });

  it("reads each gateway's backlog, online state and sessions by status from the store", async () => {
    await handler.handleMessage(
      STATUS,
      payload({ v: 1, gateway: "gw-1", site: "mall-a", online: true, at: at(0), backlog: 42 }),
    );
    const plate = { plate: "KA01XY9999" };
    await handler.handleMessage(
      EVENTS,
      payload(
        envelope("gw-1", [
          vehicle("vehicle.entry", "entry-1", 1, at(0), plate),
          vehicle("vehicle.exit", "exit-1", 2, at(30 * 60_000), plate),
          vehicle("vehicle.entry", "entry-1", 3, at(31 * 60_000)),
        ]),
      ),
    );
    const values = await scrape();
    expect(values.get('lotwatch_ingest_gateway_backlog{gateway="gw-1",site="mall-a"}')).toBe(42);
    expect(values.get('lotwatch_ingest_gateway_online{gateway="gw-1",site="mall-a"}')).toBe(1);
    const [gateway] = await store.listGateways();
    expect(gateway?.clockOffsetMs).toEqual(expect.any(Number));
    expect(values.get('lotwatch_ingest_gateway_clock_offset_seconds{gateway="gw-1",site="mall-a"}')).toBe(
      (gateway?.clockOffsetMs as number) / 1000,
    );
    expect(values.get('lotwatch_ingest_sessions{site="mall-a",status="closed"}')).toBe(1);
    expect(values.get('lotwatch_ingest_sessions{site="mall-a",status="open"}')).toBe(1);
  });

  it("counts commits that take a space below zero", async () => {
    await handler.handleMessage(
      EVENTS,
      payload(envelope("gw-1", [vehicle("vehicle.exit", "exit-1", 1, at(0))])),
    );
    const values = await scrape();
    expect(values.get('lotwatch_ingest_negative_counts_total{site="mall-a",space="lot"}')).toBe(1);
  });

  it("starts every refusal reason and rejection class at zero", async () => {
    const values = await scrape();
    expect(values.get('lotwatch_ingest_broker_refusals_total{reason="bad_secret"}')).toBe(0);
    expect(values.get('lotwatch_ingest_broker_refusals_total{reason="packet_too_large"}')).toBe(0);
    expect(values.get('lotwatch_ingest_rejected_total{class="not_json"}')).toBe(0);
  });
});
