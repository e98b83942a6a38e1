import { describe, expect, it, vi } from "vitest";
import { createSilentLogger } from "../logging/create-logger.js";
import { useTestStore } from "../store/sqlite/test-support/test-store.js";
import { at, vehicle } from "../test-support/fixtures.js";
import { startOutboxPruner } from "./outbox-pruner.js";

const DAY = 24 * 60 * 60 * 1000;
const NOW = Date.parse("2026-11-23T12:00:00.000Z");

const db = useTestStore();

const exitRead = (seq: number) => vehicle("vehicle.exit", "exit-1", seq, at(0), { plate: `PL${seq}` });
const recordIds = async () => (await db.store.readOutbox("nobody-yet", 100)).map((record) => record.recordId);

describe("startOutboxPruner", () => {
  it("deletes, in chunks, the records every sink delivered that are older than the retention", async () => {
    // Records 1-5 were recorded 10 days ago, 6 an hour ago.
    await db.store.insertBatch("gw-1", [1, 2, 3, 4, 5].map(exitRead), NOW - 10 * DAY);
    await db.store.insertBatch("gw-1", [exitRead(6)], NOW - 60 * 60 * 1000);
    await db.store.markDelivered("file", 6);
    await db.store.markDelivered("webhook", 4);

    const pruner = startOutboxPruner({
      outbox: db.store,
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
    await db.store.insertBatch("gw-1", [1, 2].map(exitRead), NOW - 10 * DAY);
    await db.store.markDelivered("file", 2);
    const pruner = startOutboxPruner({
      outbox: db.store,
      sinks: ["file", "webhook"],
      retentionDays: 7,
      logger: createSilentLogger(),
      now: () => NOW,
    });
    await pruner.close();
    expect(await recordIds()).toEqual([1, 2]);
  });
});
