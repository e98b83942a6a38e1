import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { NegativeCount } from "../../counts/clamp.js";
import type { CountChange } from "../../counts/count-feed.js";
import { createSilentLogger } from "../../logging/create-logger.js";
import { at, createTempDir, type TempDir, testTopology, vehicle } from "../../test-support/fixtures.js";
import type { Store } from "../store.js";
import { createWorkerStore } from "./worker-store.js";

let dir: TempDir;
let store: Store | undefined;
const negatives: NegativeCount[] = [];
const open = () =>
  createWorkerStore({
    path: dir.file("ingest.db"),
    topology: testTopology(),
    logger: createSilentLogger(),
    onNegativeCount: (negative) => negatives.push(negative),
  });

beforeEach(() => {
  dir = createTempDir();
  negatives.length = 0;
});
afterEach(async () => {
  await store?.close();
  store = undefined;
  dir.remove();
});

describe("SQLite store on its own thread", () => {
  it("delivers a batch's count changes before the batch's insert resolves", async () => {
    store = await open();
    const seen: CountChange[] = [];
    store.subscribeCounts((changes) => seen.push(...changes));
    const inserting = store.insertBatch("gw-1", [vehicle("vehicle.entry", "entry-1", 1, at(0))], Date.now());
    const countsWhenResolved = inserting.then(() => seen.length);
    expect(await inserting).toMatchObject({ inserted: 1, duplicates: 0 });
    expect(await countsWhenResolved).toBeGreaterThan(0);
    expect(seen.find((change) => change.space === "lot")).toMatchObject({ site: "mall-a", count: 1 });
  });

  it("reports a count below zero to the caller's hook", async () => {
    store = await open();
    await store.insertBatch("gw-1", [vehicle("vehicle.exit", "exit-1", 1, at(0))], Date.now());
    expect(negatives).toContainEqual({ site: "mall-a", space: "lot", rawCount: -1 });
  });

  it("fails to open with the store's own error code and message", async () => {
    const failing = createWorkerStore({
      path: dir.file("missing-folder/ingest.db"),
      topology: testTopology(),
      logger: createSilentLogger(),
    });
    await expect(failing).rejects.toMatchObject({
      code: "store_open_failed",
      message: expect.stringContaining("missing-folder/ingest.db"),
    });
  });

  it("answers calls after close with store_closed, and closes once however often asked", async () => {
    const closing = await open();
    await Promise.all([closing.close(), closing.close()]);
    await expect(closing.totals()).rejects.toMatchObject({ code: "store_closed" });
  });

  it("keeps what it stored across a reopen", async () => {
    store = await open();
    await store.insertBatch("gw-1", [vehicle("vehicle.entry", "entry-1", 7, at(0))], Date.now());
    await store.close();
    store = await open();
    expect(await store.getEvent("gw-1", 7)).toMatchObject({ gateway: "gw-1", event: { seq: 7 } });
  });
});
