import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSilentLogger } from "../../logging/create-logger.js";
import { createSqliteStore } from "../../store/sqlite/sqlite-store.js";
import type { Store } from "../../store/store.js";
import { at, createTempDir, T0, type TempDir, testTopology, vehicle } from "../../test-support/fixtures.js";
import { createApp } from "../app.js";

const MIN = 60_000;
let dir: TempDir;
let store: Store;
let app: ReturnType<typeof createApp>;

beforeEach(async () => {
  dir = createTempDir();
  const topology = testTopology();
  store = createSqliteStore({ path: dir.file("ingest.db"), topology, logger: createSilentLogger() });
  app = createApp({ store, topology, logger: createSilentLogger() });
  await store.insertBatch(
    "gw-1",
    [
      vehicle("vehicle.entry", "entry-1", 1, at(0), { plate: "KA-01-AB-1234" }),
      vehicle("vehicle.exit", "exit-1", 2, at(20 * MIN), { plate: "KA01AB1234" }),
      vehicle("vehicle.entry", "entry-1", 3, at(5 * MIN), { plate: "MH12XY0001" }),
      vehicle("vehicle.exit", "exit-1", 4, at(10 * MIN), { plate: "DL3C0042" }),
    ],
    T0,
  );
});
afterEach(async () => {
  await store.close();
  dir.remove();
});

const get = async (query = "", site = "mall-a") => {
  const response = await app.request(`/v1/sites/${site}/sessions${query}`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

describe("GET /v1/sites/{site}/sessions", () => {
  it("lists the site's sessions newest first", async () => {
    const { status, body } = await get();
    expect(status).toBe(200);
    expect(body).toEqual({
      site: "mall-a",
      sessions: [
        expect.objectContaining({ id: "gw-1:4", status: "unmatched" }),
        expect.objectContaining({ id: "gw-1:3", status: "open", exitAt: null, fee: null }),
        {
          id: "gw-1:1",
          site: "mall-a",
          status: "closed",
          plate: "KA01AB1234",
          exitPlate: "KA01AB1234",
          entryAt: at(0),
          exitAt: at(20 * MIN),
          entry: { gateway: "gw-1", seq: 1, lane: "entry-1" },
          exit: { gateway: "gw-1", seq: 2, lane: "exit-1" },
          matchedBy: "exact",
          durationS: 1200,
          fee: 2.5,
          currency: "EUR",
        },
      ],
      nextCursor: null,
    });
  });

  it("filters by status, normalized plate and start time", async () => {
    const ids = async (query: string) =>
      ((await get(query)).body.sessions as { id: string }[]).map((s) => s.id);
    expect(await ids("?status=closed")).toEqual(["gw-1:1"]);
    expect(await ids("?plate=ka%2001%20ab%201234")).toEqual(["gw-1:1"]);
    expect(await ids(`?from=${at(5 * MIN)}&to=${at(10 * MIN)}`)).toEqual(["gw-1:3"]);
  });

  it("pages with an opaque cursor", async () => {
    const first = await get("?limit=2");
    expect((first.body.sessions as unknown[]).length).toBe(2);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await get(`?limit=2&cursor=${first.body.nextCursor}`);
    expect((second.body.sessions as { id: string }[]).map((s) => s.id)).toEqual(["gw-1:1"]);
    expect(second.body.nextCursor).toBeNull();
  });

  it.each([
    ["?status=parked", "status"],
    ["?limit=0", "limit"],
    ["?limit=1001", "limit"],
    ["?limit=ten", "limit"],
    ["?from=yesterday", "from"],
    [`?from=${at(MIN)}&to=${at(0)}`, "to"],
    ["?plate=---", "plate"],
    ["?cursor=not-a-cursor", "cursor"],
  ])("answers 400 naming the parameter for %s", async (query, name) => {
    const { status, body } = await get(query);
    expect(status).toBe(400);
    expect(body).toEqual({
      error: { code: "bad_parameter", message: expect.stringMatching(new RegExp(`^${name}: `)) },
    });
  });

  it("answers 404 for a site the topology does not know", async () => {
    const { status, body } = await get("", "nowhere");
    expect(status).toBe(404);
    expect(body).toMatchObject({ error: { code: "unknown_site" } });
  });
});
