import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  campusTopology,
  crossing,
  laneRead,
  slotState,
  T0,
} from "../../counts/test-support/count-fixtures.js";
import { createSilentLogger } from "../../logging/create-logger.js";
import { createSqliteStore } from "../../store/sqlite/sqlite-store.js";
import type { Store } from "../../store/store.js";
import { createTempDir, type TempDir } from "../../test-support/fixtures.js";
import { createApp } from "../app.js";

const logger = createSilentLogger();
const iso = (offsetMs: number) => new Date(T0 + offsetMs).toISOString();
const MIN = 60_000;
let dir: TempDir;
let store: Store;
let app: ReturnType<typeof createApp>;

beforeEach(async () => {
  dir = createTempDir();
  const topology = campusTopology();
  store = createSqliteStore({ path: dir.file("api.db"), topology, logger });
  app = createApp({ store, topology, logger, now: () => T0 + 60 * MIN });
  await store.insertBatch(
    "gw-1",
    [
      laneRead(1, 0, "gate-in"),
      laneRead(2, 5 * MIN, "gate-in"),
      laneRead(3, 12 * MIN, "gate-out"),
      laneRead(4, 14 * MIN, "gate-out"),
      laneRead(5, 16 * MIN, "gate-out"),
      crossing(6, 0, "main", 1, 3),
      slotState(7, 2 * MIN, "x1", true),
    ],
    T0 + 20 * MIN,
  );
});
afterEach(async () => {
  await store.close();
  dir.remove();
});

const get = async (path: string) => {
  const response = await app.request(path);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};
const messageOf = (body: Record<string, unknown>) => (body.error as { message: string }).message;

describe("space history", () => {
  it("answers the count at each step boundary from `from` to `to`, clamped points marked", async () => {
    const { status, body } = await get(
      `/v1/sites/campus/spaces/garage/history?from=${iso(0)}&to=${iso(20 * MIN)}&step=5m`,
    );
    expect(status).toBe(200);
    expect(body).toEqual({
      site: "campus",
      space: "garage",
      source: "flow",
      from: iso(0),
      to: iso(20 * MIN),
      step: "5m",
      points: [
        { t: iso(0), count: 1 },
        { t: iso(5 * MIN), count: 2 },
        { t: iso(10 * MIN), count: 2 },
        { t: iso(15 * MIN), count: 0 },
        { t: iso(20 * MIN), count: 0, rawCount: -1, clamped: true },
      ],
    });
  });

  it("accepts ISO-8601 steps and defaults to the last 24 hours", async () => {
    const iso8601 = await get(
      `/v1/sites/campus/spaces/zone-x/history?from=${iso(0)}&to=${iso(4 * MIN)}&step=PT2M`,
    );
    expect(iso8601.body).toMatchObject({
      source: "slots",
      points: [
        { t: iso(0), count: 0 },
        { t: iso(2 * MIN), count: 1 },
        { t: iso(4 * MIN), count: 1 },
      ],
    });
    const defaults = await get("/v1/sites/campus/spaces/building/history");
    expect(defaults.body).toMatchObject({ from: iso(60 * MIN - 86_400_000), to: iso(60 * MIN), step: "5m" });
    expect((defaults.body.points as unknown[]).length).toBe(289);
    expect((defaults.body.points as unknown[]).at(-1)).toEqual({ t: iso(60 * MIN), count: 3 });
  });

  it("refuses a bad step, too many points, a bad time or from after to, naming the parameter", async () => {
    const badStep = await get("/v1/sites/campus/spaces/garage/history?step=5x");
    expect(badStep.status).toBe(400);
    expect(messageOf(badStep.body)).toMatch(/^step: "5x" is not a step/);
    const tooMany = await get(
      `/v1/sites/campus/spaces/garage/history?from=${iso(0)}&to=${iso(2001 * 1000)}&step=1s`,
    );
    expect(tooMany.status).toBe(400);
    expect(messageOf(tooMany.body)).toMatch(/^step: 1s from .* gives 2002 points, over the limit of 2000/);
    const badTime = await get("/v1/sites/campus/spaces/garage/history?to=soon");
    expect(messageOf(badTime.body)).toMatch(/^to: "soon" is not an ISO-8601 time/);
    const reversed = await get(`/v1/sites/campus/spaces/garage/history?from=${iso(MIN)}&to=${iso(0)}`);
    expect(messageOf(reversed.body)).toMatch(/^from: .* is after to/);
    expect((await get("/v1/sites/campus/spaces/roof/history")).body).toMatchObject({
      error: { code: "unknown_space" },
    });
  });
});

describe("space views", () => {
  it("say which source each space counts from", async () => {
    const { body } = await get("/v1/sites/campus/spaces");
    const spaces = body.spaces as { id: string; source: string; count: number }[];
    expect(spaces.map((s) => [s.id, s.source, s.count])).toEqual([
      ["building", "flow", 3],
      ["floor-1", "flow", 3],
      ["room-a", "flow", 0],
      ["room-b", "flow", 0],
      ["floor-2", "flow", 0],
      ["garage", "flow", 0],
      ["deck-1", "slots", 1],
      ["zone-x", "slots", 1],
      ["zone-y", "slots", 0],
      ["yard", "slots", 0],
      ["shed", "none", 0],
    ]);
    expect((await get(`/v1/sites/campus/spaces/zone-x/count?at=${iso(MIN)}`)).body).toMatchObject({
      source: "slots",
      count: 0,
      capacity: 2,
    });
  });
});

describe("slots", () => {
  it("lists each slot's state, since when, and its space", async () => {
    await store.insertBatch("gw-1", [slotState(8, 3 * MIN, "x1", true)], T0 + 21 * MIN);
    const { status, body } = await get("/v1/sites/campus/slots");
    expect(status).toBe(200);
    expect(body).toEqual({
      site: "campus",
      slots: [
        { id: "x1", space: "zone-x", occupied: true, since: iso(2 * MIN), reportedAt: iso(3 * MIN) },
        { id: "x2", space: "zone-x", occupied: null, since: null, reportedAt: null },
        { id: "y1", space: "zone-y", occupied: null, since: null, reportedAt: null },
        { id: "yard-1", space: "yard", occupied: null, since: null, reportedAt: null },
      ],
    });
    expect((await get("/v1/sites/nowhere/slots")).status).toBe(404);
  });
});
