import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { at, T0, testTopology, vehicle } from "../../test-support/fixtures.js";
import type { Store } from "../store.js";
import type { HarnessFactory, StoreHarness } from "./store-harness.js";

/** Dedupe, counts by event time, rejections and gateways: what every Store backend must do. */
export function basicsContract(harness: HarnessFactory): void {
  let storage: StoreHarness;
  let store: Store;
  const open = () => storage.open({ topology: testTopology() });

  beforeEach(async () => {
    storage = await harness();
    store = await open();
  });
  afterEach(async () => {
    await store.close();
    await storage.destroy();
  });

  const countNow = async (space: string) =>
    (await store.currentCounts("mall-a")).find((row) => row.space === space)?.reading.count ?? 0;

  describe("basics", () => {
    it("stores a batch once and counts the repeat as duplicates", async () => {
      const batch = [
        vehicle("vehicle.entry", "entry-1", 1, at(0)),
        vehicle("vehicle.entry", "entry-1", 2, at(1000)),
      ];
      expect(await store.insertBatch("gw-1", batch, T0)).toEqual({
        inserted: 2,
        duplicates: 0,
        unknownSource: 0,
        rejected: 0,
      });
      expect(await store.insertBatch("gw-1", batch, T0 + 5000)).toMatchObject({ inserted: 0, duplicates: 2 });
      expect(await countNow("lot")).toBe(2);
      expect((await store.getEvent("gw-1", 2))?.event).toEqual(batch[1]);
    });

    it("keeps the duplicate count across a reopen", async () => {
      const batch = [vehicle("vehicle.entry", "entry-1", 1, at(0))];
      await store.insertBatch("gw-1", batch, T0);
      await store.insertBatch("gw-1", batch, T0);
      await store.close();
      store = await open();
      await store.insertBatch("gw-1", batch, T0);
      expect(await store.totals()).toMatchObject({ events: 1, duplicates: 2 });
      expect((await store.listGateways())[0]).toMatchObject({
        id: "gw-1",
        site: "mall-a",
        events: 1,
        duplicates: 2,
      });
    });

    it("keys events by gateway and seq, so two gateways may use the same seq", async () => {
      await store.insertBatch(
        "gw-1",
        [vehicle("vehicle.entry", "entry-1", 1, at(0), { plate: "KA01AA0001" })],
        T0,
      );
      const result = await store.insertBatch(
        "gw-2",
        [vehicle("vehicle.entry", "entry-1", 1, at(0), { plate: "KA01BB0001" })],
        T0,
      );
      expect(result.inserted).toBe(1);
      expect(await countNow("lot")).toBe(2);
    });

    it("adds an entry to its space and every ancestor, and an exit removes it", async () => {
      await store.insertBatch(
        "gw-1",
        [vehicle("vehicle.entry", "entry-l1", 1, at(0)), vehicle("vehicle.entry", "entry-1", 2, at(0))],
        T0,
      );
      expect(await countNow("level-1")).toBe(1);
      expect(await countNow("lot")).toBe(2);
      expect(await countNow("zone-1a")).toBe(0);
      await store.insertBatch("gw-1", [vehicle("vehicle.exit", "exit-l1", 3, at(1000))], T0);
      expect(await countNow("level-1")).toBe(0);
      expect(await countNow("lot")).toBe(1);
    });

    it("answers counts at a time from event time, including late events", async () => {
      await store.insertBatch(
        "gw-1",
        [
          vehicle("vehicle.entry", "entry-1", 1, at(0)),
          vehicle("vehicle.entry", "entry-1", 2, at(10_000)),
          vehicle("vehicle.exit", "exit-1", 3, at(20_000)),
        ],
        T0 + 30_000,
      );
      expect((await store.countAt("mall-a", "lot", T0 - 1)).count).toBe(0);
      expect((await store.countAt("mall-a", "lot", T0)).count).toBe(1);
      expect((await store.countAt("mall-a", "lot", T0 + 15_000)).count).toBe(2);
      expect((await store.countAt("mall-a", "lot", T0 + 25_000)).count).toBe(1);
      // A gateway that was offline delivers an entry from the past: history changes, in order of event time.
      await store.insertBatch(
        "gw-2",
        [vehicle("vehicle.entry", "entry-1", 1, at(5000), { plate: "KA01BB0001" })],
        T0 + 60_000,
      );
      expect((await store.countAt("mall-a", "lot", T0 + 1000)).count).toBe(1);
      expect((await store.countAt("mall-a", "lot", T0 + 6000)).count).toBe(2);
      expect((await store.countAt("mall-a", "lot", T0 + 25_000)).count).toBe(2);
    });

    it("counts repeated reads of a plate on a lane as one read, whichever arrives first", async () => {
      type Read = [type: "vehicle.entry" | "vehicle.exit", lane: string, seq: number, ms: number];
      /** One car's reads, from one gateway. */
      const send = (gateway: string, ...reads: Read[]) =>
        store.insertBatch(
          gateway,
          reads.map(([type, lane, seq, ms]) => vehicle(type, lane, seq, at(ms), { plate: "KA01XY0001" })),
          T0 + 90_000,
        );
      const countAt = async (t: number) => (await store.countAt("mall-a", "lot", T0 + t)).count;
      await send("gw-1", ["vehicle.entry", "entry-1", 2, 20_000]);
      expect(await countNow("lot")).toBe(1);
      // The first read of the burst arrives late, from another camera's gateway: the one above
      // becomes its repeat and is taken back, and the car counts from the first read's time.
      await send("gw-2", ["vehicle.entry", "entry-1", 1, 5_000]);
      expect(await countNow("lot")).toBe(1);
      expect([await countAt(4_999), await countAt(5_000), await countAt(20_000)]).toEqual([0, 1, 1]);
      // 41 s after the burst's last read: a new read. The same plate on another lane: not a repeat.
      await send("gw-1", ["vehicle.entry", "entry-1", 3, 61_000], ["vehicle.entry", "entry-l1", 4, 21_000]);
      expect(await countNow("lot")).toBe(3);
      // A repeated exit is one exit too.
      await send("gw-1", ["vehicle.exit", "exit-1", 5, 70_000], ["vehicle.exit", "exit-1", 6, 72_000]);
      expect(await countNow("lot")).toBe(2);
    });

    it("clamps a count below zero to 0 and reports the raw value", async () => {
      await store.insertBatch("gw-1", [vehicle("vehicle.exit", "exit-1", 1, at(0))], T0);
      expect(await store.countAt("mall-a", "lot", T0)).toEqual({ count: 0, rawCount: -1, clamped: true });
      const lot = (await store.currentCounts("mall-a")).find((row) => row.space === "lot");
      expect(lot?.reading).toEqual({ count: 0, rawCount: -1, clamped: true });
      expect(await store.countAt("mall-a", "lot", T0 - 1)).toEqual({ count: 0, rawCount: 0, clamped: false });
    });

    it("stores events from unknown lanes and counts them as unknownSource", async () => {
      const result = await store.insertBatch("gw-1", [vehicle("vehicle.entry", "lane-x", 1, at(0))], T0);
      expect(result).toMatchObject({ inserted: 1, unknownSource: 1 });
      expect((await store.getEvent("gw-1", 1))?.unknownSource).toBe(true);
      expect(await store.currentCounts("mall-a")).toEqual([]);
      expect((await store.listGateways())[0]?.unknownSource).toBe(1);
    });

    it("lists rejections newest first, with the batch's own rejections stored with it", async () => {
      await store.recordRejected(
        [
          {
            gateway: "gw-1",
            topic: "lotwatch/v1/mall-a/gw-1/events",
            eventIndex: null,
            reason: "not JSON",
            excerpt: "{",
          },
        ],
        T0,
      );
      await store.insertBatch("gw-1", [vehicle("vehicle.entry", "entry-1", 1, at(0))], T0 + 1, [
        {
          gateway: "gw-1",
          topic: "t",
          eventIndex: 3,
          reason: "events[3].plate: plate must be a string",
          excerpt: "{}",
        },
      ]);
      const rejected = await store.listRejected(10);
      expect(rejected.map((r) => [r.eventIndex, r.reason])).toEqual([
        [3, "events[3].plate: plate must be a string"],
        [null, "not JSON"],
      ]);
      expect(await store.listRejected(1)).toHaveLength(1);
      expect((await store.listGateways())[0]?.rejected).toBe(2);
    });

    it("records gateway status and keeps counters next to it", async () => {
      await store.recordGatewayStatus(
        {
          v: 1,
          gateway: "gw-1",
          site: "mall-a",
          online: true,
          at: at(0),
          version: "0.1.0",
          backlog: 12,
          oldestPendingAt: at(-5000),
        },
        T0 + 100,
      );
      await store.recordGatewayStatus(
        { v: 1, gateway: "gw-1", site: "mall-a", online: false, at: at(0) },
        T0 + 200,
      );
      const [gateway] = await store.listGateways();
      expect(gateway).toMatchObject({
        id: "gw-1",
        online: false,
        lastSeen: T0 + 200,
        version: "0.1.0",
        backlog: 12,
        oldestPendingAt: T0 - 5000,
      });
    });
  });
}
