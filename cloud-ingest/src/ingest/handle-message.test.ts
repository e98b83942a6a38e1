import { afterEach, beforeEach, describe, expect, it } from "vitest";
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
import { EXCERPT_MAX_BYTES, excerpt } from "./excerpt.js";
import { createMessageHandler, type MessageHandler } from "./handle-message.js";

const TOPIC = "lotwatch/v1/mall-a/gw-1/events";
let dir: TempDir;
let store: Store;
let handler: MessageHandler;

beforeEach(() => {
  dir = createTempDir();
  const logger = createSilentLogger();
  store = createSqliteStore({ path: dir.file("ingest.db"), topology: testTopology(), logger });
  handler = createMessageHandler({ store, logger, now: () => T0, maxPayloadBytes: 64 * 1024 });
});
afterEach(async () => {
  await store.close();
  dir.remove();
});

const reasons = async () => (await store.listRejected(100)).map((r) => r.reason).reverse();

describe("handleMessage", () => {
  it("stores a valid envelope and reports what it did", async () => {
    const events = [
      vehicle("vehicle.entry", "entry-1", 1, at(0)),
      vehicle("vehicle.entry", "entry-1", 2, at(1)),
    ];
    const result = await handler.handleMessage(TOPIC, payload(envelope("gw-1", events)));
    expect(result).toEqual({ kind: "events", inserted: 2, duplicates: 0, unknownSource: 0, rejected: 0 });
    expect((await store.countAt("mall-a", "lot", T0 + 10)).count).toBe(2);
  });

  it("rejects a payload that is not JSON as one row", async () => {
    const result = await handler.handleMessage(TOPIC, Buffer.from("{ nope"));
    expect(result).toMatchObject({ kind: "rejected", rejected: 1 });
    const [row] = await store.listRejected(10);
    expect(row).toMatchObject({ gateway: "gw-1", topic: TOPIC, eventIndex: null, excerpt: "{ nope" });
    expect(row?.reason).toMatch(/^not JSON: /);
  });

  it("rejects the whole envelope when its header is wrong", async () => {
    await handler.handleMessage(TOPIC, payload({ ...envelope("gw-1", []), v: 2 }));
    await handler.handleMessage(TOPIC, payload({ v: 1, gateway: "gw-1", events: [] }));
    await handler.handleMessage(TOPIC, payload({ ...envelope("gw-1", []), events: "none" }));
    const [v, missing, type] = await reasons();
    expect(v).toBe("v: v must be 1 (this ingest speaks wire protocol v1)");
    expect(missing).toContain("sentAt:");
    expect(missing).toContain("bootId:");
    expect(type).toBe("events: events must be an array");
  });

  it("rejects an envelope whose gateway differs from the topic's", async () => {
    const result = await handler.handleMessage(
      TOPIC,
      payload(envelope("gw-2", [vehicle("vehicle.entry", "entry-1", 1, at(0))])),
    );
    expect(result).toMatchObject({ kind: "rejected", inserted: 0 });
    expect(await reasons()).toEqual(['gateway: "gw-2" does not match the topic\'s gateway "gw-1"']);
    expect(await store.getEvent("gw-2", 1)).toBeNull();
  });

  it("rejects bad events one by one and keeps the valid ones of the batch", async () => {
    const good = vehicle("vehicle.entry", "entry-1", 1, at(0));
    const events = [
      good,
      { ...vehicle("vehicle.entry", "entry-1", 2, at(0)), plate: 42 },
      { ...vehicle("vehicle.entry", "entry-1", 3, at(0)), site: "mall-b" },
      { type: "vehicle.exit", seq: 4 },
      { ...vehicle("vehicle.entry", "entry-1", 5, at(0)), occurredAt: "yesterday" },
      vehicle("vehicle.exit", "exit-1", 6, at(5)),
    ];
    const result = await handler.handleMessage(TOPIC, payload(envelope("gw-1", events)));
    expect(result).toMatchObject({ kind: "events", inserted: 2, rejected: 4 });
    const rows = (await store.listRejected(10)).reverse();
    expect(rows.map((r) => r.eventIndex)).toEqual([1, 2, 3, 4]);
    expect(rows[0]?.reason).toBe("events[1].plate: plate must be a string");
    expect(rows[1]?.reason).toBe('events[2].site: "mall-b" does not match the topic\'s site "mall-a"');
    expect(rows[2]?.reason).toContain("events[3].id:");
    expect(rows[2]?.reason).toContain("events[3].lane:");
    expect(rows[3]?.reason).toMatch(/^events\[4\]\.occurredAt: /);
    expect(JSON.parse(rows[0]?.excerpt ?? "")).toMatchObject({ seq: 2, plate: 42 });
    expect(await store.getEvent("gw-1", 1)).not.toBeNull();
    expect(await store.getEvent("gw-1", 6)).not.toBeNull();
  });

  it("stores events from an unknown lane without counting them", async () => {
    const result = await handler.handleMessage(
      TOPIC,
      payload(envelope("gw-1", [vehicle("vehicle.entry", "gate-9", 1, at(0))])),
    );
    expect(result).toMatchObject({ kind: "events", inserted: 1, unknownSource: 1, rejected: 0 });
    expect(await store.currentCounts("mall-a")).toEqual([]);
  });

  it("rejects an oversized payload without parsing it", async () => {
    const huge = Buffer.alloc(64 * 1024 + 1, "x");
    const result = await handler.handleMessage(TOPIC, huge);
    expect(result).toMatchObject({ kind: "rejected", rejected: 1 });
    const [row] = await store.listRejected(1);
    expect(row?.reason).toBe("payload is 65537 bytes, over the 65536-byte limit");
    expect(Buffer.byteLength(row?.excerpt ?? "")).toBe(EXCERPT_MAX_BYTES);
  });

  it("records a gateway's status and rejects one for another gateway", async () => {
    const status = { v: 1, gateway: "gw-1", site: "mall-a", online: true, at: at(0), backlog: 3 };
    expect(await handler.handleMessage("lotwatch/v1/mall-a/gw-1/status", payload(status))).toMatchObject({
      kind: "status",
    });
    expect(await store.listGateways()).toMatchObject([
      { id: "gw-1", online: true, backlog: 3, lastSeen: T0 },
    ]);
    const wrong = await handler.handleMessage("lotwatch/v1/mall-a/gw-2/status", payload(status));
    expect(wrong.kind).toBe("rejected");
    expect(await handler.handleMessage("lotwatch/v1/mall-a/gw-1/status", Buffer.alloc(0))).toMatchObject({
      kind: "ignored",
    });
  });

  it("rejects a topic that is not a lotwatch topic", async () => {
    const result = await handler.handleMessage("lotwatch/v2/mall-a/gw-1/events", payload({}));
    expect(result.kind).toBe("rejected");
    expect((await store.listRejected(1))[0]).toMatchObject({
      gateway: null,
      topic: "lotwatch/v2/mall-a/gw-1/events",
    });
  });
});

describe("excerpt", () => {
  it("cuts at a character boundary within the byte limit", () => {
    const text = `${"a".repeat(9)}€€`;
    expect(excerpt(text, 10)).toBe("a".repeat(9));
    expect(excerpt(text, 12)).toBe(`${"a".repeat(9)}€`);
    expect(excerpt("short", 10)).toBe("short");
  });
});
