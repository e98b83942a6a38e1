import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createSilentLogger } from "../logging/create-logger.js";
import { createSqliteStore } from "../store/sqlite/sqlite-store.js";
import type { Store } from "../store/store.js";
import { at, createTempDir, type TempDir, testTopology, vehicle } from "../test-support/fixtures.js";
import { startOutboxPruner } from "./outbox-pruner.js";

const DAY = 24 * 60 * 60 * 1000;
const NOW = Date.parse("2026-11-23T12:00:00.000Z");

let dir: TempDir;
let store: Store;
beforeEach(() => {
  dir = createTempDir();
  store = createSqliteStore({
    path: dir.file("ingest.db"),
    topology: testTopology(),
    logger: createSilentLogger(),
  });
});
afterEach(async () => {
  await store.close();
  dir.remove();
});

const exitRead = (seq: number) => vehicle("vehicle.exit", "exit-1", seq, at(0), { plate: `PL${seq}` });
const recordIds = async () => (await store.readOutbox("nobody-yet", 100)).map((record) => record.recordId);

describe("startOutboxPruner", () => {
  it("deletes, in chunks, the records every sink delivered that are older than the retention", async () => {
    // Records 1-5 were recorded 10 days ago, 6 an hour ago.
    await store.insertBatch("gw-1", [1, 2, 3, 4, 5].map(exitRead), NOW - 10 * DAY);
    await store.insertBatch("gw-1", [exitRead(6)], NOW - 60 * 60 * 1000);
    await store.markDelivered("file", 6);
    await store.markDelivered("webhook", 4);

    const pruner = startOutboxPruner({
      outbox: store,
      sinks: ["file", "webhook"],
      retentionDays: 7,
      logger: createSilentLogger(),
      chunk: 2,
      now: () => NOW,
    });
    // 5 is old but the webhook has not delivered it; 6 is delivered but recent.
    await vi.waitFor(async () => expect(await recordIds()).toEqual([5, 6]));
    await pruner.close();
  });

  it("keeps every record while a configured sink has delivered none", async () => {
    await store.insertBatch("gw-1", [1, 2].map(exitRead), NOW - 10 * DAY);
    await store.markDelivered("file", 2);
    const pruner = startOutboxPruner({
      outbox: store,
      sinks: ["file", "webhook"],
      retentionDays: 7,
      logger: createSilentLogger(),
      now: () => NOW,
    });
    await pruner.close();
    expect(await recordIds()).toEqual([1, 2]);
  });
});
