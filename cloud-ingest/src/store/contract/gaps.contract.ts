import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { crossings, gapEvent } from "../../gaps/test-support/gap-events.js";
import { at, T0, testTopology } from "../../test-support/fixtures.js";
import type { Store } from "../store.js";
import type { HarnessFactory, StoreHarness } from "./store-harness.js";

/** Gap reports from stored `gateway.gap` events: what every Store backend must answer. */
export function gapsContract(harness: HarnessFactory): void {
  let storage: StoreHarness;
  let store: Store;

  beforeEach(async () => {
    storage = await harness();
    store = await storage.open({ topology: testTopology() });
  });
  afterEach(async () => {
    await store.close();
    await storage.destroy();
  });

  describe("the store's gap report", () => {
    it("lists a gateway's gap events by seq, with the seqs lost in total and those that arrived anyway", async () => {
      // The agent dropped 1..3 (5 was in flight and arrived anyway) and later 6..9 by age.
      await store.insertBatch("gw-1", [...crossings(4, 5), gapEvent(10, 1, 3), gapEvent(11, 5, 5)], T0);
      await store.insertBatch("gw-1", [gapEvent(12, 6, 9, "buffer-cap-age"), ...crossings(13)], T0);
      await store.insertBatch("gw-2", [gapEvent(3, 1, 2, "disk-full")], T0);

      expect(await store.listGaps("gw-1", { limit: 100 })).toEqual({
        gateway: "gw-1",
        gaps: [
          {
            seq: 10,
            fromSeq: 1,
            toSeq: 3,
            count: 3,
            reason: "buffer-cap-bytes",
            occurredAt: Date.parse(at(10_000)),
            arrived: 0,
          },
          {
            seq: 11,
            fromSeq: 5,
            toSeq: 5,
            count: 1,
            reason: "buffer-cap-bytes",
            occurredAt: Date.parse(at(11_000)),
            arrived: 1,
          },
          {
            seq: 12,
            fromSeq: 6,
            toSeq: 9,
            count: 4,
            reason: "buffer-cap-age",
            occurredAt: Date.parse(at(12_000)),
            arrived: 0,
          },
        ],
        lost: 8,
        nextAfter: null,
      });
      expect((await store.listGaps("gw-2", { limit: 100 }))?.lost).toBe(2);
    });

    it("pages by the gap event's seq, with the total on every page", async () => {
      await store.insertBatch("gw-1", [gapEvent(10, 1, 3), gapEvent(20, 11, 19), gapEvent(30, 21, 29)], T0);
      const first = await store.listGaps("gw-1", { limit: 2 });
      expect(first?.gaps.map((gap) => gap.seq)).toEqual([10, 20]);
      expect(first).toMatchObject({ lost: 21, nextAfter: 20 });
      const last = await store.listGaps("gw-1", { limit: 2, after: 20 });
      expect(last?.gaps.map((gap) => gap.seq)).toEqual([30]);
      expect(last).toMatchObject({ lost: 21, nextAfter: null });
    });

    it("answers an empty report for a gateway without gaps and null for one never heard from", async () => {
      await store.insertBatch("gw-1", crossings(1, 2), T0);
      expect(await store.listGaps("gw-1", { limit: 10 })).toEqual({
        gateway: "gw-1",
        gaps: [],
        lost: 0,
        nextAfter: null,
      });
      expect(await store.listGaps("gw-nobody", { limit: 10 })).toBeNull();
    });

    it("counts a resent gap event once", async () => {
      const gap = gapEvent(10, 1, 9);
      await store.insertBatch("gw-1", [gap], T0);
      await store.insertBatch("gw-1", [gap], T0 + 1000);
      expect(await store.listGaps("gw-1", { limit: 10 })).toMatchObject({ lost: 9, gaps: [{ seq: 10 }] });
    });
  });
}
