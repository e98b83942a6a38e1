import type { LotwatchEvent } from "@lotwatch/protocol/events.js";
import { afterEach, describe, expect, it } from "vitest";
import type { ClockSettings } from "../../clock/clock-settings.js";
import { type SimulatedBoot, sendIn, stampIn } from "../../clock/test-support/gateway-clock.js";
import {
  campusTopology,
  crossing,
  laneRead,
  slotState,
  T0,
} from "../../counts/test-support/count-fixtures.js";
import type { Store } from "../store.js";
import type { HarnessFactory, StoreHarness } from "./store-harness.js";

const MIN = 60_000;
const H = 60 * MIN;
const GW = "gw-1";

/** Gateway clock anchors, corrected event times and re-timing: what every Store backend must do. */
export function clockContract(harness: HarnessFactory): void {
  const storages: StoreHarness[] = [];
  /** A store on fresh storage of its own. */
  const open = async (clock: Partial<ClockSettings> = {}) => {
    const storage = await harness();
    storages.push(storage);
    return storage.open({ topology: campusTopology(), clock });
  };
  afterEach(async () => {
    for (const storage of storages.splice(0)) await storage.destroy();
  });

  /** A reading that truly happened at `trueAt`, as the boot stamps it. */
  interface Truth {
    event: LotwatchEvent;
    trueAt: number;
  }
  const truth = (boot: SimulatedBoot, event: LotwatchEvent, trueAt: number, sender?: SimulatedBoot) => ({
    event: stampIn(boot, event, trueAt, sender),
    trueAt,
  });
  const withPlate = (event: LotwatchEvent, plate: string) => ({ ...event, plate }) as LotwatchEvent;
  const send = (store: Store, boot: SimulatedBoot, readings: Truth[], sentAt: number, transitMs: number) => {
    const { envelope, receivedAt } = sendIn(boot, sentAt, transitMs);
    return store.insertBatch(
      GW,
      readings.map((r) => r.event),
      receivedAt,
      [],
      envelope,
    );
  };
  const storedTimes = async (store: Store, readings: Truth[]) =>
    Promise.all(readings.map(async (r) => (await store.getEvent(GW, r.event.seq))?.t));
  const count = async (store: Store, space: string, at: number) =>
    (await store.countAt("campus", space, at)).rawCount;

  describe("gateway clock correction", () => {
    const behind: SimulatedBoot = { bootId: "boot-1", bootAt: T0 - MIN, wallErrorMs: -3 * H, synced: false };

    it("puts an unsynced gateway's readings, 3 h behind, within 2 s of the true times, and counts there", async () => {
      const store = await open();
      const first = [
        truth(behind, withPlate(laneRead(1, 0, "gate-in"), "KA01"), T0),
        truth(behind, laneRead(2, 0, "gate-in"), T0 + MIN),
        truth(behind, laneRead(3, 0, "gate-in"), T0 + 2 * MIN),
      ];
      const second = [
        truth(behind, laneRead(4, 0, "gate-in"), T0 + 6 * MIN),
        truth(behind, withPlate(laneRead(5, 0, "gate-out"), "KA01"), T0 + 10 * MIN),
      ];
      await send(store, behind, first, T0 + 3 * MIN, 1500);
      await send(store, behind, second, T0 + 11 * MIN, 200);

      const all = [...first, ...second];
      const times = await storedTimes(store, all);
      times.forEach((t, i) => {
        expect(Math.abs((t as number) - (all[i] as Truth).trueAt)).toBeLessThan(2000);
      });
      expect(await count(store, "garage", T0 - 5000)).toBe(0);
      expect(await count(store, "garage", T0 + 2 * MIN + 5000)).toBe(3);
      expect(await count(store, "garage", T0 + 10 * MIN + 5000)).toBe(3);
      expect(await count(store, "garage", T0 - 3 * H + 30 * MIN)).toBe(0);
      const { sessions } = await store.listSessions("campus", { limit: 10, status: "closed" });
      expect(sessions).toHaveLength(1);
      expect(Math.abs((sessions[0]?.entryAt as number) - T0)).toBeLessThan(2000);
      expect(sessions[0]?.durationS).toBeGreaterThanOrEqual(599);
      expect(sessions[0]?.durationS).toBeLessThanOrEqual(601);
    });

    it("does not shift a synced gateway's readings by its 300 ms transit, and reports the offset", async () => {
      const store = await open();
      const synced: SimulatedBoot = { bootId: "boot-s", bootAt: T0 - H, wallErrorMs: 0, synced: true };
      const readings = [0, 1, 2, 3].map((k) =>
        truth(synced, crossing(k + 1, 0, "main", 1), T0 + k * MIN + 123),
      );
      await send(store, synced, readings.slice(0, 2), T0 + 2 * MIN, 300);
      await send(store, synced, readings.slice(2), T0 + 4 * MIN, 300);
      expect(await storedTimes(store, readings)).toEqual(readings.map((r) => Date.parse(r.event.occurredAt)));
      const [gateway] = await store.listGateways();
      expect(gateway?.clockOffsetMs).toBe(-300);
      expect(gateway?.clockMeasuredAt).toBe(T0 + 4 * MIN + 300);
    });

    it("keeps a separate anchor per boot across a gateway restart", async () => {
      const store = await open();
      // After the restart fake-hwclock restored a time a day ahead, and NTP has not fixed it yet.
      const after: SimulatedBoot = {
        bootId: "boot-2",
        bootAt: T0 + 20 * MIN,
        wallErrorMs: 24 * H,
        synced: false,
      };
      const sentBefore = [truth(behind, crossing(1, 0, "main", 1), T0 + MIN)];
      const bufferedAcross = [
        truth(behind, crossing(2, 0, "main", 1), T0 + 8 * MIN, after),
        truth(behind, crossing(3, 0, "main", -1), T0 + 9 * MIN, after),
      ];
      const fresh = [truth(after, crossing(4, 0, "main", 1), T0 + 21 * MIN)];
      await send(store, behind, sentBefore, T0 + 2 * MIN, 100);
      await send(store, after, [...bufferedAcross, ...fresh], T0 + 22 * MIN, 100);

      const all = [...sentBefore, ...bufferedAcross, ...fresh];
      const times = await storedTimes(store, all);
      times.forEach((t, i) => {
        expect(Math.abs((t as number) - (all[i] as Truth).trueAt)).toBeLessThan(2000);
      });
      expect(await count(store, "floor-1", T0 + 8 * MIN + 5000)).toBe(2);
      expect(await count(store, "floor-1", T0 + 21 * MIN + 5000)).toBe(2);
      const [gateway] = await store.listGateways();
      expect(gateway?.bootId).toBe("boot-2");
      expect(gateway?.clockOffsetMs).toBe(24 * H - 100);
    });

    it("re-times stored readings when a better anchor arrives, answering as if it had come first", async () => {
      const queued = [
        truth(behind, withPlate(laneRead(1, 0, "gate-in"), "KA01"), T0),
        truth(behind, slotState(2, 0, "x1", true), T0 + MIN),
        truth(behind, crossing(3, 0, "main", 1, 2), T0 + 2 * MIN),
        truth(behind, slotState(4, 0, "x2", true), T0 + 3 * MIN),
      ];
      const live = [
        truth(behind, slotState(5, 0, "x1", false), T0 + 5 * MIN),
        truth(behind, withPlate(laneRead(6, 0, "gate-out"), "KA01"), T0 + 6 * MIN),
        truth(behind, crossing(7, 0, "main", -1), T0 + 7 * MIN),
      ];
      // The first envelope sat 40 s in a queue; the ingest saw it first, with a 40 s late anchor.
      const late = await open();
      await send(late, behind, queued, T0 + 4 * MIN, 40_000);
      await send(late, behind, live, T0 + 8 * MIN, 50);
      const good = await open();
      await send(good, behind, live, T0 + 8 * MIN, 50);
      await send(good, behind, queued, T0 + 4 * MIN, 40_000);

      const all = [...queued, ...live];
      const times = Array.from({ length: 40 }, (_, k) => T0 - MIN + k * 15_000);
      const answers = async (store: Store) => ({
        stored: await storedTimes(store, all),
        sessions: (await store.listSessions("campus", { limit: 10 })).sessions,
        slots: await store.listSlots("campus"),
        garage: await store.countsAt("campus", "garage", times),
        zone: await store.countsAt("campus", "zone-x", times),
        building: await store.countsAt("campus", "building", times),
      });
      const expected = await answers(good);
      expect(expected.sessions).toHaveLength(1);
      expect(await answers(late)).toEqual(expected);
    });

    it("re-times a read into a burst of its plate's reads, where it stops counting, as if its anchor had come first", async () => {
      // Another camera's gateway, with no clock to correct, read the same plate 20 s before it truly passed.
      const other = withPlate(laneRead(1, -20_000, "gate-in"), "KA02");
      const queued = [truth(behind, withPlate(laneRead(1, 0, "gate-in"), "KA02"), T0)];
      const live = [truth(behind, crossing(2, 0, "main", 1), T0 + 5 * MIN)];
      const late = await open();
      await late.insertBatch("gw-2", [other], T0);
      await send(late, behind, queued, T0 + 4 * MIN, 40_000);
      // 40 s late, the read lies 60 s after the other camera's: two reads.
      const beforeRetime = await count(late, "garage", T0 + 4 * MIN);
      await send(late, behind, live, T0 + 8 * MIN, 50);
      const good = await open();
      await good.insertBatch("gw-2", [other], T0);
      await send(good, behind, live, T0 + 8 * MIN, 50);
      await send(good, behind, queued, T0 + 4 * MIN, 40_000);

      const times = Array.from({ length: 20 }, (_, k) => T0 - MIN + k * 10_000);
      const garage = (store: Store) => store.countsAt("campus", "garage", times);
      expect(beforeRetime).toBe(2);
      expect(await count(good, "garage", T0 + 10 * MIN)).toBe(1);
      expect(await garage(late)).toEqual(await garage(good));
    });

    it("re-times once small improvements of the anchor add up past the tolerance", async () => {
      const store = await open();
      const batches = [0, 1, 2].map((k) => [truth(behind, crossing(k + 1, 0, "main", 1), T0 + k * MIN)]);
      // Each envelope is 600 ms faster than the one before: under the 1 s tolerance one by one.
      for (const [k, batch] of batches.entries())
        await send(store, behind, batch, T0 + k * MIN + 10, 2000 - 600 * k);
      expect(await storedTimes(store, batches.flat())).toEqual([
        T0 + 800,
        T0 + MIN + 1400,
        T0 + 2 * MIN + 800,
      ]);
    });

    it("re-times at most the budget per batch and finishes with the gateway's next batches", async () => {
      const store = await open({ retimeBudget: 2 });
      const queued = [1, 2, 3, 4, 5].map((seq) =>
        truth(behind, crossing(seq, 0, "main", 1), T0 + seq * 1000),
      );
      await send(store, behind, queued, T0 + 10_000, 60_000);
      const corrected = async () =>
        (await storedTimes(store, queued)).filter((t, i) => t === (queued[i] as Truth).trueAt + 50).length;
      await send(store, behind, [], T0 + 20_000, 50);
      expect(await corrected()).toBe(2);
      await send(store, behind, [], T0 + 30_000, 50);
      expect(await corrected()).toBe(4);
      await send(store, behind, [], T0 + 40_000, 50);
      expect(await corrected()).toBe(5);
      expect(await count(store, "floor-1", T0 + 5000 + 49)).toBe(4);
      expect(await count(store, "floor-1", T0 + 5000 + 50)).toBe(5);
    });
  });
}
