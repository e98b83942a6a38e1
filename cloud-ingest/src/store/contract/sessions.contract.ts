import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { at, T0, testTopology, vehicle } from "../../test-support/fixtures.js";
import type { Store } from "../store.js";
import type { HarnessFactory, StoreHarness } from "./store-harness.js";

const MIN = 60_000;

/** Session matching, summaries in the outbox, and listing: what every Store backend must do. */
export function sessionsContract(harness: HarnessFactory): void {
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

  const entry = (seq: number, offset: number, plate = "KA01AB1234") =>
    vehicle("vehicle.entry", "entry-1", seq, at(offset), { plate });
  const exit = (seq: number, offset: number, plate = "KA01AB1234") =>
    vehicle("vehicle.exit", "exit-1", seq, at(offset), { plate });
  const all = async () => (await store.listSessions("mall-a", { limit: 1000 })).sessions;
  const outbox = () => store.readOutbox("test", 1000);

  describe("sessions", () => {
    it("stores a closed session with duration, fee and currency from the site's tariff", async () => {
      await store.insertBatch("gw-1", [entry(1, 0, "ka-01 ab 1234"), exit(2, 100 * MIN)], T0);
      expect(await all()).toEqual([
        {
          id: "gw-1:1",
          site: "mall-a",
          plateKey: expect.any(String),
          status: "closed",
          plate: "KA01AB1234",
          exitPlate: "KA01AB1234",
          entryAt: T0,
          exitAt: T0 + 100 * MIN,
          entry: { gateway: "gw-1", seq: 1, lane: "entry-1" },
          exit: { gateway: "gw-1", seq: 2, lane: "exit-1" },
          matchedBy: "exact",
          durationS: 6000,
          fee: 5,
          currency: "EUR",
        },
      ]);
      expect(await outbox()).toEqual([
        {
          recordId: 1,
          recordedAt: new Date(T0).toISOString(),
          sessionId: "gw-1:1",
          site: "mall-a",
          status: "closed",
          plate: "KA01AB1234",
          exitPlate: "KA01AB1234",
          entryAt: at(0),
          exitAt: at(100 * MIN),
          durationS: 6000,
          fee: 5,
          currency: "EUR",
          matchedBy: "exact",
        },
      ]);
    });

    it("writes no summary for an open session", async () => {
      await store.insertBatch("gw-1", [entry(1, 0)], T0);
      expect((await all()).map((s) => s.status)).toEqual(["open"]);
      expect(await outbox()).toEqual([]);
    });

    it("rematches an unmatched exit when its entry arrives late, with a record correcting the old one", async () => {
      await store.insertBatch("gw-exit", [exit(7, 60 * MIN)], T0);
      const [unmatched] = await outbox();
      expect(unmatched).toMatchObject({
        recordId: 1,
        sessionId: "gw-exit:7",
        status: "unmatched",
        fee: null,
      });

      await store.insertBatch("gw-entry", [entry(3, 0, "KA0IAB1234")], T0 + 1000);
      expect((await all()).map((s) => [s.id, s.status, s.matchedBy])).toEqual([
        ["gw-entry:3", "closed", "fuzzy"],
      ]);
      const [, correction] = await outbox();
      expect(correction).toMatchObject({
        recordId: 2,
        sessionId: "gw-entry:3",
        status: "closed",
        plate: "KA0IAB1234",
        exitPlate: "KA01AB1234",
        matchedBy: "fuzzy",
        corrects: 1,
      });
    });

    it("reopens a session whose exit a later entry takes over, and records both changes", async () => {
      await store.insertBatch("gw-1", [entry(1, 0), exit(2, 90 * MIN)], T0);
      await store.insertBatch("gw-1", [entry(3, 30 * MIN)], T0);
      expect((await all()).map((s) => [s.id, s.status])).toEqual([
        ["gw-1:3", "closed"],
        ["gw-1:1", "open"],
      ]);
      expect((await outbox()).map((r) => [r.recordId, r.sessionId, r.status, r.corrects])).toEqual([
        [1, "gw-1:1", "closed", undefined],
        [2, "gw-1:1", "open", 1],
        [3, "gw-1:3", "closed", 1],
      ]);
    });

    it("voids the record of an unmatched exit that a late earlier read turns into a repeat", async () => {
      await store.insertBatch("gw-1", [entry(1, 0), exit(2, 60 * MIN), exit(3, 60 * MIN + 40_000)], T0);
      expect((await outbox()).map((r) => [r.recordId, r.sessionId, r.status])).toEqual([
        [1, "gw-1:1", "closed"],
        [2, "gw-1:3", "unmatched"],
      ]);
      // Bridges the two exit reads into one burst: the second is now a repeat of the first.
      await store.insertBatch("gw-1", [exit(4, 60 * MIN + 20_000)], T0);
      expect((await all()).map((s) => s.id)).toEqual(["gw-1:1"]);
      expect((await outbox()).slice(2)).toEqual([
        expect.objectContaining({ recordId: 3, sessionId: "gw-1:3", status: "void", corrects: 2, fee: null }),
      ]);
    });

    it("changes nothing when a batch is repeated", async () => {
      const batch = [entry(1, 0), exit(2, 90 * MIN), exit(5, 200 * MIN, "ZZ99ZZ9999")];
      await store.insertBatch("gw-1", batch, T0);
      const before = { sessions: await all(), records: await outbox() };
      await store.insertBatch("gw-1", batch, T0 + 1000);
      expect({ sessions: await all(), records: await outbox() }).toEqual(before);
    });

    it("makes no sessions from reads of a site the topology does not know", async () => {
      await store.insertBatch("gw-1", [{ ...entry(1, 0), site: "elsewhere" }], T0);
      expect(await store.listSessions("elsewhere", { limit: 10 })).toEqual({ sessions: [], next: null });
    });

    it("moves each sink's outbox cursor independently and never backwards", async () => {
      await store.insertBatch("gw-1", [exit(1, 0, "AA1"), exit(2, 0, "BB2"), exit(3, 0, "CC3")], T0);
      await store.markDelivered("file", 2);
      await store.markDelivered("file", 1);
      expect((await store.readOutbox("file", 10)).map((r) => r.recordId)).toEqual([3]);
      expect((await store.readOutbox("webhook", 2)).map((r) => r.recordId)).toEqual([1, 2]);
    });

    it("prunes old records only once every named sink delivered them, and never hands their ids out again", async () => {
      const HOUR = 60 * MIN;
      await store.insertBatch("gw-1", [exit(1, 0, "AA1"), exit(2, 0, "BB2"), exit(3, 0, "CC3")], T0);
      await store.insertBatch("gw-1", [exit(4, 0, "DD4")], T0 + HOUR);
      await store.markDelivered("file", 3);
      await store.markDelivered("webhook", 2);
      const ids = async (sink: string) => (await store.readOutbox(sink, 10)).map((r) => r.recordId);

      expect(await store.pruneOutbox(["file", "webhook"], T0 + 1, 1)).toBe(1);
      expect(await store.pruneOutbox(["file", "webhook"], T0 + 1, 10)).toBe(1);
      expect(await ids("webhook")).toEqual([3, 4]);
      // A sink that never delivered anything holds everything back.
      expect(await store.pruneOutbox(["file", "archive"], T0 + 2 * HOUR, 10)).toBe(0);
      // Record 4 is newer than the cut for one, and not delivered to the file sink for the other.
      expect(await store.pruneOutbox(["file"], T0 + 1, 10)).toBe(1);
      expect(await store.pruneOutbox(["file"], T0 + 2 * HOUR, 10)).toBe(0);
      expect(await ids("webhook")).toEqual([4]);
      expect(await store.pruneOutbox([], T0 + 2 * HOUR, 10)).toBe(1);
      expect(await ids("webhook")).toEqual([]);

      await store.insertBatch("gw-1", [exit(5, 0, "EE5")], T0 + 3 * HOUR);
      expect(await ids("webhook")).toEqual([5]);
    });

    it("keeps the outbox and cursors across a reopen", async () => {
      await store.insertBatch("gw-1", [exit(1, 0, "AA1"), exit(2, 0, "BB2")], T0);
      await store.markDelivered("file", 1);
      await store.close();
      store = await open();
      expect((await store.readOutbox("file", 10)).map((r) => r.recordId)).toEqual([2]);
    });
  });

  describe("listing sessions", () => {
    beforeEach(async () => {
      await store.insertBatch(
        "gw-1",
        [
          entry(1, 0, "AA0001"),
          exit(2, 30 * MIN, "AA0001"),
          entry(3, 10 * MIN, "BB0002"),
          exit(4, 20 * MIN, "CC0003"),
          entry(5, 40 * MIN, "DD0004"),
          entry(6, 40 * MIN, "EE0005"),
        ],
        T0,
      );
    });

    it("lists newest start first and filters by status", async () => {
      expect((await all()).map((s) => s.id)).toEqual(["gw-1:6", "gw-1:5", "gw-1:4", "gw-1:3", "gw-1:1"]);
      const open = await store.listSessions("mall-a", { status: "open", limit: 10 });
      expect(open.sessions.map((s) => s.id)).toEqual(["gw-1:6", "gw-1:5", "gw-1:3"]);
    });

    it("filters by plate (entry or exit) and by start time", async () => {
      const byPlate = await store.listSessions("mall-a", { plate: "CC0003", limit: 10 });
      expect(byPlate.sessions.map((s) => s.id)).toEqual(["gw-1:4"]);
      const window = await store.listSessions("mall-a", {
        from: T0 + 10 * MIN,
        to: T0 + 40 * MIN,
        limit: 10,
      });
      expect(window.sessions.map((s) => s.id)).toEqual(["gw-1:4", "gw-1:3"]);
    });

    it("pages with a cursor that stays stable while sessions are added", async () => {
      const first = await store.listSessions("mall-a", { limit: 2 });
      expect(first.sessions.map((s) => s.id)).toEqual(["gw-1:6", "gw-1:5"]);
      expect(first.next).toEqual({ startedAt: T0 + 40 * MIN, id: "gw-1:5" });
      await store.insertBatch("gw-1", [entry(7, 50 * MIN, "FF0006"), entry(8, 40 * MIN, "GG0007")], T0);
      const second = await store.listSessions("mall-a", { limit: 2, after: first.next ?? undefined });
      expect(second.sessions.map((s) => s.id)).toEqual(["gw-1:4", "gw-1:3"]);
      const third = await store.listSessions("mall-a", { limit: 2, after: second.next ?? undefined });
      expect(third).toMatchObject({ next: null });
      expect(third.sessions.map((s) => s.id)).toEqual(["gw-1:1"]);
    });
  });
}
