import { beforeEach, describe, expect, it } from "vitest";
import { createIngestMetrics, type IngestMetrics } from "../metrics/ingest-metrics.js";
import { createMeteredStore } from "../metrics/metered-store.js";
import { useTestStore } from "../store/sqlite/test-support/test-store.js";
import type { Store } from "../store/store.js";
import { T0 } from "../test-support/fixtures.js";
import { LOST_EVENTS_METRIC } from "./lost-events-meter.js";
import { crossings, gapEvent } from "./test-support/gap-events.js";

const db = useTestStore();
let metrics: IngestMetrics;
let metered: Store;

beforeEach(() => {
  metrics = createIngestMetrics();
  metered = createMeteredStore(db.store, metrics);
});

/** The counter's value per `gateway/reason`. */
async function lost(): Promise<Record<string, number>> {
  const metric = metrics.registry.getSingleMetric(LOST_EVENTS_METRIC);
  const values = (await metric?.get())?.values ?? [];
  return Object.fromEntries(values.map((v) => [`${v.labels.gateway}/${v.labels.reason}`, v.value]));
}

describe(LOST_EVENTS_METRIC, () => {
  it("counts the seqs of each gap event when it is first stored, by gateway and reason", async () => {
    await metered.insertBatch("gw-1", [...crossings(4), gapEvent(5, 1, 3)], T0);
    await metered.insertBatch("gw-1", [gapEvent(9, 6, 8, "disk-full")], T0);
    await metered.insertBatch("gw-2", [gapEvent(7, 1, 6)], T0);
    expect(await lost()).toEqual({
      "gw-1/buffer-cap-bytes": 3,
      "gw-1/disk-full": 3,
      "gw-2/buffer-cap-bytes": 6,
    });
  });

  it("counts nothing again for a resent gap event, also in a batch with new events", async () => {
    const first = gapEvent(5, 1, 3);
    await metered.insertBatch("gw-1", [...crossings(4), first], T0);
    await metered.insertBatch("gw-1", [first], T0);
    // A resend that overlaps: the old gap event again beside a new one.
    await metered.insertBatch("gw-1", [first, ...crossings(6), gapEvent(10, 7, 9)], T0);
    expect(await lost()).toEqual({ "gw-1/buffer-cap-bytes": 6 });
    expect((await metered.listGaps("gw-1", { limit: 10 }))?.lost).toBe(6);
  });

  it("shares one counter between stores metered into the same registry", async () => {
    createMeteredStore(db.store, metrics);
    await metered.insertBatch("gw-1", [gapEvent(2, 1, 1)], T0);
    expect(await lost()).toEqual({ "gw-1/buffer-cap-bytes": 1 });
  });
});
