import type { LotwatchEvent } from "@lotwatch/protocol/events.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { NegativeCount } from "../../counts/clamp.js";
import type { CountChange } from "../../counts/count-feed.js";
import {
  campusTopology,
  crossing,
  laneRead,
  slotState,
  T0,
} from "../../counts/test-support/count-fixtures.js";
import type { Store } from "../store.js";
import type { HarnessFactory, StoreHarness } from "./store-harness.js";

/** Doors, bays, sources, clamping, the change feed and clock offsets: what every backend must count. */
export function countsContract(harness: HarnessFactory): void {
  let storage: StoreHarness;
  let store: Store;
  let negatives: NegativeCount[];

  beforeEach(async () => {
    storage = await harness();
    negatives = [];
    store = await storage.open({
      topology: campusTopology(),
      onNegativeCount: (negative) => negatives.push(negative),
    });
  });
  afterEach(async () => {
    await store.close();
    await storage.destroy();
  });

  const insert = (events: LotwatchEvent[], gateway = "gw-1") =>
    store.insertBatch(gateway, events, T0 + 999_000);
  const now = async () =>
    Object.fromEntries((await store.currentCounts("campus")).map((row) => [row.space, row.reading.rawCount]));
  const at = async (space: string, t: number) => (await store.countAt("campus", space, T0 + t)).rawCount;

  describe("counts", () => {
    it("counts doors across the building, and moves inside it only between rooms", async () => {
      await insert([
        crossing(1, 0, "main", 1, 5),
        crossing(2, 1000, "a-b", 1, 2),
        crossing(3, 2000, "stairs", 1),
        crossing(4, 3000, "main", -1),
      ]);
      expect(await now()).toEqual({
        building: 4,
        "floor-1": 3,
        "room-a": -2,
        "room-b": 2,
        "floor-2": 1,
      });
      expect(await at("building", 2500)).toBe(5);
      expect(await at("floor-1", 2500)).toBe(4);
    });

    it("counts occupied bays per zone and up the tree, from states not deltas", async () => {
      await insert([
        slotState(1, 0, "x1", true),
        slotState(2, 1000, "x1", true),
        slotState(3, 2000, "x2", true),
        slotState(4, 3000, "y1", true),
        slotState(5, 4000, "x1", false),
      ]);
      expect(await now()).toMatchObject({ "zone-x": 1, "zone-y": 1, "deck-1": 2 });
      expect(await at("zone-x", 2500)).toBe(2);
      expect(await at("deck-1", 3500)).toBe(3);
      expect(await at("deck-1", -1)).toBe(0);
    });

    it("rewrites bay history when a late state lands between two others", async () => {
      await insert([slotState(1, 0, "x1", true), slotState(2, 10_000, "x1", true)]);
      expect(await at("zone-x", 5000)).toBe(1);
      await insert([slotState(1, 5000, "x1", false)], "gw-late");
      expect(await at("zone-x", 4000)).toBe(1);
      expect(await at("zone-x", 5000)).toBe(0);
      expect(await at("zone-x", 10_000)).toBe(1);
      expect((await now())["zone-x"]).toBe(1);
    });

    it("answers each space from its source: the garage by lanes, the deck by bays, the yard by countFrom", async () => {
      await insert([
        laneRead(1, 0, "gate-in"),
        laneRead(2, 0, "gate-in"),
        slotState(3, 0, "x1", true),
        laneRead(4, 0, "yard-in"),
        laneRead(5, 0, "yard-in"),
        slotState(6, 0, "yard-1", true),
      ]);
      const rows = await store.currentCounts("campus");
      const bySpace = Object.fromEntries(rows.map((row) => [row.space, [row.source, row.reading.count]]));
      expect(bySpace).toEqual({
        garage: ["flow", 2],
        "deck-1": ["slots", 1],
        "zone-x": ["slots", 1],
        yard: ["slots", 1],
      });
      expect(await at("yard", 0)).toBe(1);
      expect(await at("shed", 0)).toBe(0);
    });

    it("clamps a count below zero, warns through the hook, and keeps the raw value", async () => {
      await insert([laneRead(1, 0, "gate-out")]);
      expect(await store.countAt("campus", "garage", T0)).toEqual({ count: 0, rawCount: -1, clamped: true });
      expect(negatives).toEqual([{ site: "campus", space: "garage", rawCount: -1 }]);
      await insert([laneRead(2, 500, "gate-in")]);
      expect(negatives).toHaveLength(1);
    });

    it("publishes changed current counts after the commit, not unchanged ones", async () => {
      const seen: CountChange[][] = [];
      const unsubscribe = store.subscribeCounts((changes) => seen.push([...changes]));
      await insert([laneRead(1, 0, "gate-in"), slotState(2, 0, "x1", false)]);
      await insert([laneRead(1, 0, "gate-in")]);
      await insert([crossing(3, 0, "main", 1), crossing(4, 1, "main", -1)]);
      unsubscribe();
      await insert([laneRead(5, 0, "gate-in")]);
      expect(seen).toEqual([
        [
          {
            site: "campus",
            space: "garage",
            source: "flow",
            count: 1,
            rawCount: 1,
            clamped: false,
            capacity: 100,
            free: 99,
            at: new Date(T0 + 999_000).toISOString(),
          },
        ],
      ]);
    });

    it("does not publish a batch that was rolled back", async () => {
      const seen: CountChange[][] = [];
      store.subscribeCounts((changes) => seen.push([...changes]));
      const bad = { ...laneRead(1, 0, "gate-in"), occurredAt: "not a time" } as LotwatchEvent;
      await expect(insert([laneRead(2, 0, "gate-in"), bad])).rejects.toThrow();
      expect(seen).toEqual([]);
      expect(await now()).toEqual({});
    });

    it("lists each slot's state and since when, through repeats and late reports", async () => {
      await insert([
        slotState(1, 1000, "x1", true),
        slotState(2, 2000, "x1", true),
        slotState(3, 3000, "x2", false),
        slotState(4, 5000, "x2", true),
      ]);
      await insert([slotState(1, 500, "x2", true)], "gw-late");
      const slots = await store.listSlots("campus");
      expect(slots).toEqual([
        { slot: "x1", space: "zone-x", occupied: true, since: T0 + 1000, reportedAt: T0 + 2000 },
        { slot: "x2", space: "zone-x", occupied: true, since: T0 + 5000, reportedAt: T0 + 5000 },
        { slot: "y1", space: "zone-y", occupied: null, since: null, reportedAt: null },
        { slot: "yard-1", space: "yard", occupied: null, since: null, reportedAt: null },
      ]);
    });

    it("counts at event time minus the gateway's clock offset", async () => {
      const receivedAt = T0 + 999_000;
      // The gateway's clock is a minute ahead: its envelope was sent "a minute after" it arrived.
      const envelope = { bootId: "boot-1", sentAt: receivedAt + 60_000, uptimeMs: 5000 };
      await store.insertBatch("gw-fast", [laneRead(1, 60_000, "gate-in")], receivedAt, [], envelope);
      expect(await at("garage", 0)).toBe(1);
      expect(await at("garage", -1)).toBe(0);
    });
  });
}
