import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSilentLogger } from "../../logging/create-logger.js";
import { createSqliteStore } from "../../store/sqlite/sqlite-store.js";
import type { Store } from "../../store/store.js";
import { at, createTempDir, T0, type TempDir, testTopology, vehicle } from "../../test-support/fixtures.js";
import { createApp } from "../app.js";
import { forecastRoute } from "./forecast.schema.js";

const MIN = 60_000;
const logger = createSilentLogger();
let dir: TempDir;
let store: Store;
let app: ReturnType<typeof createApp>;

beforeEach(async () => {
  dir = createTempDir();
  const topology = testTopology();
  store = createSqliteStore({ path: dir.file("forecast.db"), topology, logger });
  app = createApp({ store, topology, logger, now: () => T0 + 3 * 60 * MIN + 5 * MIN });
  // Twelve cars arrive in the first two hours and stay.
  const entries = Array.from({ length: 12 }, (_, i) =>
    vehicle("vehicle.entry", "entry-1", i + 1, at(i * 10 * MIN), { plate: `KA01AB${1000 + i}` }),
  );
  await store.insertBatch("gw-1", entries, T0 + 3 * 60 * MIN);
});
afterEach(async () => {
  await store.close();
  dir.remove();
});

async function get(path: string) {
  const response = await app.request(path);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("GET /v1/sites/{site}/forecast", () => {
  it("predicts the space's count from its stored history, on the step grid after now", async () => {
    const { status, body } = await get("/v1/sites/mall-a/forecast?space=lot&horizon=PT2H&step=15m");
    expect(status).toBe(200);
    expect(forecastRoute.response.schema.safeParse(body).error?.issues ?? []).toEqual([]);
    const points = body.points as { t: string; count: number; low: number; high: number }[];
    expect(points).toHaveLength(8);
    expect(points[0]?.t).toBe(at(3 * 60 * MIN + 15 * MIN));
    expect(points.at(-1)?.t).toBe(at(5 * 60 * MIN));
    // Under a day of history (0 → 12 cars in two hours, then 12 for an hour): no pattern to follow,
    // so it starts at the count now and drifts slowly towards the history's mean.
    expect(Math.abs((points[0]?.count ?? 0) - 12)).toBeLessThan(1);
    for (const [i, point] of points.entries()) {
      expect(point.count).toBeGreaterThan(8);
      expect(point.count).toBeLessThanOrEqual(points[i - 1]?.count ?? Number.POSITIVE_INFINITY);
    }
    expect(body.model).toMatchObject({
      seasonality: "none",
      trainedFrom: at(0),
      trainedTo: at(3 * 60 * MIN),
    });
    expect(body).toMatchObject({ site: "mall-a", space: "lot", capacity: 500, step: "15m", horizon: "PT2H" });
  });

  it("takes the horizon in hours, with a default step of 15 minutes", async () => {
    const { status, body } = await get("/v1/sites/mall-a/forecast?space=level-1&hours=3");
    expect(status).toBe(200);
    expect(body).toMatchObject({ horizon: "PT3H", step: "15m" });
    expect(body.points).toHaveLength(12);
  });

  it("names the parameter that is wrong, and the site or space that does not exist", async () => {
    const cases: [string, number, RegExp][] = [
      ["/v1/sites/mall-a/forecast", 400, /^space: /],
      ["/v1/sites/mall-a/forecast?space=lot&step=7m", 400, /^step: must .* divide a day/],
      ["/v1/sites/mall-a/forecast?space=lot&horizon=soon", 400, /^horizon: "soon" is not a duration/],
      ["/v1/sites/mall-a/forecast?space=lot&horizon=P8D", 400, /^horizon: must be at most 7 days/],
      ["/v1/sites/mall-a/forecast?space=lot&hours=2&horizon=PT2H", 400, /^hours: give horizon or hours/],
      [
        "/v1/sites/mall-a/forecast?space=lot&hours=100&step=1m",
        400,
        /^step: 1m over PT100H gives 6000 points/,
      ],
      ["/v1/sites/mall-a/forecast?space=roof", 404, /space "roof" is not in site "mall-a"/],
      ["/v1/sites/nowhere/forecast?space=lot", 404, /site "nowhere"/],
    ];
    for (const [path, status, message] of cases) {
      const answer = await get(path);
      expect(answer.status, path).toBe(status);
      expect((answer.body.error as { message: string }).message, path).toMatch(message);
    }
  });
});
