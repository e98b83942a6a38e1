import { Registry } from "prom-client";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { z } from "zod";
import { createSilentLogger } from "../../logging/create-logger.js";
import { createSqliteStore } from "../../store/sqlite/sqlite-store.js";
import type { Store } from "../../store/store.js";
import { at, createTempDir, T0, type TempDir, testTopology, vehicle } from "../../test-support/fixtures.js";
import { createApp } from "../app.js";
import { ErrorBodySchema } from "../errors.js";
import { ROUTE_CATALOG } from "../route-catalog.js";
import { gatewaysRoute } from "../routes/gateways.schema.js";
import { healthRoute } from "../routes/health.schema.js";
import { rejectedRoute } from "../routes/rejected.schema.js";
import { sessionsRoute } from "../routes/sessions.schema.js";
import { sitesRoute } from "../routes/sites.schema.js";
import { slotsRoute } from "../routes/slots.schema.js";
import { spaceCountRoute, spaceHistoryRoute, spacesRoute } from "../routes/spaces.schema.js";
import { streamRoute } from "../routes/stream.schema.js";
import type { OpenApiDocument } from "./build-document.js";
import { openApiPath, type RouteSpec } from "./route-spec.js";

const MIN = 60_000;
const logger = createSilentLogger();
let dir: TempDir;
let store: Store;
let app: ReturnType<typeof createApp>;

beforeEach(async () => {
  dir = createTempDir();
  const topology = testTopology();
  store = createSqliteStore({ path: dir.file("ingest.db"), topology, logger });
  app = createApp({ store, topology, logger, metrics: new Registry(), now: () => T0 + 60 * MIN });
  await store.insertBatch(
    "gw-1",
    [
      vehicle("vehicle.entry", "entry-1", 1, at(0), { plate: "KA01AB1234" }),
      vehicle("vehicle.exit", "exit-1", 2, at(20 * MIN), { plate: "KA01AB1234" }),
      vehicle("vehicle.exit", "exit-l1", 3, at(25 * MIN), { plate: "MH12XY0001" }),
      {
        type: "door.crossing",
        id: "d1",
        seq: 4,
        site: "mall-a",
        occurredAt: at(MIN),
        door: "door-1",
        direction: 1,
      },
      {
        type: "slot.state",
        id: "s1",
        seq: 5,
        site: "mall-a",
        occurredAt: at(2 * MIN),
        slot: "L1-001",
        occupied: true,
      },
    ],
    T0 + 30 * MIN,
  );
  await store.recordGatewayStatus(
    { v: 1, gateway: "gw-1", site: "mall-a", online: true, at: at(30 * MIN), version: "0.1.0", backlog: 0 },
    T0 + 30 * MIN,
  );
  await store.recordRejected(
    [
      {
        gateway: "gw-1",
        topic: "lotwatch/v1/mall-a/gw-1/events",
        eventIndex: 2,
        reason: "events[2].plate: x",
        excerpt: "{}",
      },
    ],
    T0 + 30 * MIN,
  );
});
afterEach(async () => {
  await store.close();
  dir.remove();
});

async function openApi(): Promise<OpenApiDocument> {
  const response = await app.request("/openapi.json");
  expect(response.status).toBe(200);
  return (await response.json()) as OpenApiDocument;
}

/** Parses `body` with the route's declared schema; with `exact`, a field the schema lacks fails too. */
function expectConforms(schema: z.ZodType, body: unknown, exact = true) {
  const parsed = schema.safeParse(body);
  expect(parsed.error?.issues ?? []).toEqual([]);
  if (exact) expect(parsed.data).toEqual(body);
}

describe("GET /openapi.json", () => {
  it("documents every mounted route, and the catalog holds nothing unmounted", async () => {
    const document = await openApi();
    expect(document.openapi).toBe("3.1.0");
    const mounted = app.routes.filter((route) => route.method !== "ALL");
    expect(mounted.length).toBeGreaterThan(10);
    for (const route of mounted) {
      const operation = document.paths[openApiPath(route.path)]?.[route.method.toLowerCase()];
      expect(operation, `${route.method} ${route.path}`).toBeDefined();
    }
    const mountedKeys = new Set(mounted.map((route) => `${route.method} ${route.path}`));
    for (const spec of ROUTE_CATALOG)
      expect(mountedKeys).toContain(`${spec.method.toUpperCase()} ${spec.path}`);
  });

  it("describes parameters from the schemas that validate them", async () => {
    const sessions = (await openApi()).paths["/v1/sites/{site}/sessions"]?.get;
    const parameter = (name: string) => sessions?.parameters.find((p) => p.name === name);
    expect(parameter("site")).toMatchObject({ in: "path", required: true, schema: { type: "string" } });
    expect(parameter("status")).toMatchObject({
      in: "query",
      required: false,
      schema: { enum: ["open", "closed", "unmatched"] },
    });
    expect(parameter("limit")).toMatchObject({
      description: "sessions per page (default 100)",
      schema: { type: "integer", minimum: 1, maximum: 1000 },
    });
    expect(parameter("from")?.schema).toMatchObject({ type: "string", format: "date-time" });
    expect(Object.keys(sessions?.responses ?? {}).sort()).toEqual(["200", "400", "401", "404", "500", "503"]);
    expect(sessions?.security).toEqual([{ apiKey: [] }]);
    const health = (await openApi()).paths["/healthz"]?.get;
    expect(health?.security).toEqual([]);
    expect(health?.responses["200"]).toMatchObject({
      content: { "application/json": { schema: { properties: { ok: { const: true } } } } },
    });
  });

  it("gives each answer the shape its route declares", async () => {
    const cases: [string, RouteSpec, boolean?][] = [
      ["/v1/sites", sitesRoute],
      ["/v1/sites/mall-a/spaces", spacesRoute],
      ["/v1/sites/mall-a/spaces/lot/count", spaceCountRoute],
      [`/v1/sites/mall-a/spaces/lot/count?at=${at(10 * MIN)}`, spaceCountRoute],
      [`/v1/sites/mall-a/spaces/level-1/history?from=${at(0)}&to=${at(30 * MIN)}&step=5m`, spaceHistoryRoute],
      ["/v1/sites/mall-a/sessions?limit=1", sessionsRoute],
      ["/v1/sites/mall-a/sessions?status=unmatched", sessionsRoute],
      ["/v1/sites/mall-a/slots", slotsRoute],
      ["/v1/rejected?limit=5", rejectedRoute],
      ["/healthz", healthRoute],
      // The registry's owner may add fields before the schema names them.
      ["/v1/gateways", gatewaysRoute, false],
    ];
    for (const [url, spec, exact] of cases) {
      const response = await app.request(url);
      expect(response.status, url).toBe(200);
      expectConforms(spec.response.schema, await response.json(), exact);
    }
  });

  it("gives the clamped history points and the error answers their declared shapes", async () => {
    const history = await app.request(
      `/v1/sites/mall-a/spaces/level-1/history?from=${at(24 * MIN)}&to=${at(26 * MIN)}&step=1m`,
    );
    const body = (await history.json()) as { points: unknown[] };
    expect(body.points).toContainEqual({ t: at(25 * MIN), count: 0, rawCount: -1, clamped: true });
    expectConforms(spaceHistoryRoute.response.schema, body);
    for (const url of ["/v1/sites/nowhere/slots", "/v1/rejected?limit=0", "/v1/nothing"]) {
      expectConforms(ErrorBodySchema, await (await app.request(url)).json());
    }
  });

  it("gives the event stream's snapshot the declared shape", async () => {
    const response = await app.request("/v1/sites/mall-a/events/stream");
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    let text = "";
    const deadline = Date.now() + 5000;
    while (!text.includes("\n\n") && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    await reader.cancel();
    const [eventLine, dataLine] = text.split("\n");
    expect(eventLine).toBe("event: snapshot");
    expectConforms(streamRoute.response.events.snapshot, JSON.parse((dataLine ?? "").slice("data: ".length)));
  });
});
