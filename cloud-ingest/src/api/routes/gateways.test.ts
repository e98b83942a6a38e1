import { describe, expect, it } from "vitest";
import { createMessageHandler } from "../../ingest/handle-message.js";
import { createSilentLogger } from "../../logging/create-logger.js";
import { useTestStore } from "../../store/sqlite/test-support/test-store.js";
import { at, payload, T0, vehicle } from "../../test-support/fixtures.js";
import { createGatewayRoutes } from "./gateways.js";

const H = 3_600_000;
const db = useTestStore();
let receivedAt: number;

const handle = (topic: string, body: unknown) =>
  createMessageHandler({
    store: db.store,
    logger: createSilentLogger(),
    now: () => receivedAt,
  }).handleMessage(topic, payload(body));
const list = async () => {
  const response = await createGatewayRoutes({ store: db.store }).request("/");
  expect(response.status).toBe(200);
  return ((await response.json()) as { gateways: Record<string, unknown>[] }).gateways;
};

describe("GET /v1/gateways", () => {
  it("shows each gateway's measured clock offset with its status and counters", async () => {
    // gw-1's clock is 3 h behind; its envelope took 250 ms to arrive.
    receivedAt = T0 + 250;
    const sentAt = new Date(T0 - 3 * H).toISOString();
    const events = [vehicle("vehicle.entry", "entry-1", 1, at(-3 * H - 1000))];
    await handle("lotwatch/v1/mall-a/gw-1/events", {
      v: 1,
      gateway: "gw-1",
      sentAt,
      bootId: "boot-7",
      uptimeMs: 90_000,
      events: [...events, events[0]],
    });
    await handle("lotwatch/v1/mall-a/gw-1/status", {
      v: 1,
      gateway: "gw-1",
      site: "mall-a",
      online: true,
      at: sentAt,
      version: "0.1.0",
      bootId: "boot-7",
      uptimeMs: 90_010,
      backlog: 12,
      oldestPendingAt: null,
    });

    expect(await list()).toEqual([
      {
        id: "gw-1",
        site: "mall-a",
        online: true,
        lastSeen: new Date(T0 + 250).toISOString(),
        statusAt: sentAt,
        version: "0.1.0",
        bootId: "boot-7",
        uptimeMs: 90_010,
        backlog: 12,
        oldestPendingAt: null,
        dropped: null,
        clockOffsetMs: -3 * H - 250,
        clockMeasuredAt: new Date(T0 + 250).toISOString(),
        events: 1,
        duplicates: 1,
        unknownSource: 0,
        rejected: 0,
      },
    ]);
    expect((await db.store.getEvent("gw-1", 1))?.t).toBe(T0 - 1000 + 250);
  });

  it("has no clock offset for a gateway that sent only a status", async () => {
    receivedAt = T0;
    await handle("lotwatch/v1/mall-a/gw-2/status", {
      v: 1,
      gateway: "gw-2",
      site: "mall-a",
      online: false,
      at: new Date(T0).toISOString(),
    });
    expect(await list()).toMatchObject([
      { id: "gw-2", online: false, clockOffsetMs: null, clockMeasuredAt: null },
    ]);
  });
});
