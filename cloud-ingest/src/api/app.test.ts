import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSilentLogger } from "../logging/create-logger.js";
import { createSqliteStore } from "../store/sqlite/sqlite-store.js";
import type { Store } from "../store/store.js";
import { at, createTempDir, T0, type TempDir, testTopology, vehicle } from "../test-support/fixtures.js";
import { createApp } from "./app.js";

const logger = createSilentLogger();
let dir: TempDir;
let store: Store;
let ready: boolean;
let app: ReturnType<typeof createApp>;

beforeEach(async () => {
  dir = createTempDir();
  store = createSqliteStore({ path: dir.file("ingest.db"), topology: testTopology(), logger });
  ready = true;
  app = createApp({
    store,
    topology: testTopology(),
    logger,
    isReady: () => ready,
    now: () => T0 + 3_600_000,
  });
  await store.insertBatch(
    "gw-1",
    [
      vehicle("vehicle.entry", "entry-1", 1, at(0)),
      vehicle("vehicle.entry", "entry-l1", 2, at(60_000)),
      vehicle("vehicle.exit", "exit-1", 3, at(120_000)),
    ],
    T0 + 200_000,
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

describe("REST API", () => {
  it("answers health and readiness", async () => {
    expect(await get("/healthz")).toEqual({ status: 200, body: { ok: true } });
    expect((await get("/readyz")).status).toBe(200);
    ready = false;
    expect(await get("/readyz")).toMatchObject({ status: 503, body: { error: { code: "not_ready" } } });
  });

  it("lists every space of a site with count, capacity, free and updatedAt", async () => {
    const { status, body } = await get("/v1/sites/mall-a/spaces");
    expect(status).toBe(200);
    expect(body.spaces).toEqual([
      {
        id: "lot",
        parent: null,
        source: "flow",
        count: 1,
        rawCount: 1,
        clamped: false,
        capacity: 500,
        free: 499,
        updatedAt: at(200_000),
      },
      {
        id: "level-1",
        parent: "lot",
        source: "flow",
        count: 1,
        rawCount: 1,
        clamped: false,
        capacity: 250,
        free: 249,
        updatedAt: at(200_000),
      },
      {
        id: "zone-1a",
        parent: "level-1",
        source: "slots",
        count: 0,
        rawCount: 0,
        clamped: false,
        capacity: 40,
        free: 40,
        updatedAt: null,
      },
      {
        id: "lobby",
        parent: null,
        source: "flow",
        count: 0,
        rawCount: 0,
        clamped: false,
        capacity: null,
        free: null,
        updatedAt: null,
      },
    ]);
  });

  it("lists sites with their spaces' current counts", async () => {
    const { body } = await get("/v1/sites");
    const sites = body.sites as { id: string; spaces: { id: string; count: number }[] }[];
    expect(sites.map((site) => site.id)).toEqual(["mall-a"]);
    expect(sites[0]?.spaces.find((space) => space.id === "lot")?.count).toBe(1);
  });

  it("answers a space's count now and at a past time", async () => {
    expect((await get("/v1/sites/mall-a/spaces/lot/count")).body).toEqual({
      site: "mall-a",
      space: "lot",
      source: "flow",
      at: at(3_600_000),
      count: 1,
      rawCount: 1,
      clamped: false,
      capacity: 500,
    });
    expect((await get(`/v1/sites/mall-a/spaces/lot/count?at=${at(90_000)}`)).body).toMatchObject({
      at: at(90_000),
      count: 2,
    });
    expect(
      (await get("/v1/sites/mall-a/spaces/lot/count?at=2026-11-22T11:00:30%2B01:00")).body,
    ).toMatchObject({
      at: at(30_000),
      count: 1,
    });
  });

  it("answers 404 naming an unknown site or space", async () => {
    expect(await get("/v1/sites/mall-z/spaces")).toEqual({
      status: 404,
      body: { error: { code: "unknown_site", message: 'site "mall-z" is not in the topology' } },
    });
    expect(await get("/v1/sites/mall-a/spaces/roof/count")).toEqual({
      status: 404,
      body: { error: { code: "unknown_space", message: 'space "roof" is not in site "mall-a"' } },
    });
    expect((await get("/v1/nothing")).status).toBe(404);
  });

  it("answers 400 naming a bad at or limit", async () => {
    const bad = await get("/v1/sites/mall-a/spaces/lot/count?at=yesterday");
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { code: "bad_parameter" } });
    expect((bad.body.error as { message: string }).message).toMatch(
      /^at: "yesterday" is not an ISO-8601 time/,
    );
    const limit = await get("/v1/rejected?limit=0");
    expect(limit.status).toBe(400);
    expect((limit.body.error as { message: string }).message).toMatch(/^limit: /);
  });

  it("lists gateways and rejections", async () => {
    await store.recordRejected(
      [
        {
          gateway: "gw-1",
          topic: "lotwatch/v1/mall-a/gw-1/events",
          eventIndex: null,
          reason: "not JSON",
          excerpt: "x",
        },
      ],
      T0,
    );
    const gateways = await get("/v1/gateways");
    expect(gateways.body.gateways).toMatchObject([
      { id: "gw-1", site: "mall-a", events: 3, rejected: 1, lastSeen: at(200_000), online: null },
    ]);
    const rejected = await get("/v1/rejected?limit=5");
    expect(rejected.body.rejected).toMatchObject([
      { reason: "not JSON", receivedAt: at(0), gateway: "gw-1" },
    ]);
  });

  it("answers 500 with a JSON error when the store fails", async () => {
    await store.close();
    expect(await get("/v1/sites/mall-a/spaces")).toMatchObject({
      status: 500,
      body: { error: { code: "internal" } },
    });
  });
});
