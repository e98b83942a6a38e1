import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSilentLogger } from "../logging/create-logger.js";
import { createSqliteStore } from "../store/sqlite/sqlite-store.js";
import type { Store } from "../store/store.js";
import { at, createTempDir, type TempDir, testTopology } from "../test-support/fixtures.js";
import { createApp } from "./app.js";

const logger = createSilentLogger();
let dir: TempDir;
let store: Store;
let app: ReturnType<typeof createApp>;

beforeAll(() => {
  dir = createTempDir();
  const topology = testTopology();
  store = createSqliteStore({ path: dir.file("ingest.db"), topology, logger });
  app = createApp({ store, topology, logger, metrics: new Registry() });
});
afterAll(async () => {
  await store.close();
  dir.remove();
});

const errorOf = async (url: string, init?: RequestInit) => {
  const response = await app.request(url, init);
  return {
    status: response.status,
    body: (await response.json()) as { error: { code: string; message: string } },
  };
};

const SPACE = "/v1/sites/mall-a/spaces/lot";
const SESSIONS = "/v1/sites/mall-a/sessions";

describe("bad parameters", () => {
  it.each([
    [
      `${SPACE}/count?at=yesterday`,
      "at",
      /^at: "yesterday" is not an ISO-8601 time such as 2026-11-22T10:00:00Z$/,
    ],
    [`${SPACE}/count?at=2026-11-22T10:00:00`, "at", /is not an ISO-8601 time/],
    [`${SPACE}/history?from=noon`, "from", /^from: "noon" is not an ISO-8601 time/],
    [`${SPACE}/history?to=soon`, "to", /^to: "soon" is not an ISO-8601 time/],
    [`${SPACE}/history?step=5x`, "step", /^step: "5x" is not a step such as 30s, 5m, 1h, 1d or PT5M$/],
    [`${SPACE}/history?step=0s`, "step", /^step: "0s" is not a step/],
    [`${SPACE}/history?from=${at(60_000)}&to=${at(0)}`, "from", /^from: .* is after to/],
    [`${SPACE}/history?from=${at(0)}&to=${at(86_400_000)}&step=1s`, "step", /over the limit of 2000/],
    [`${SESSIONS}?status=parked`, "status", /^status: must be one of open, closed, unmatched, got "parked"$/],
    [`${SESSIONS}?limit=0`, "limit", /^limit: must be a whole number from 1 to 1000, got "0"$/],
    [`${SESSIONS}?limit=1e3`, "limit", /got "1e3"/],
    [`${SESSIONS}?limit=`, "limit", /got ""/],
    [`${SESSIONS}?cursor=%%%`, "cursor", /^cursor: is not a cursor from a previous page/],
    [`${SESSIONS}?plate=--`, "plate", /^plate: must have a letter or digit$/],
    [`${SESSIONS}?from=${at(60_000)}&to=${at(0)}`, "to", /^to: must be after from/],
    ["/v1/rejected?limit=5000", "limit", /^limit: must be a whole number from 1 to 1000, got "5000"$/],
  ])("%s is a 400 naming %s", async (url, name, message) => {
    const { status, body } = await errorOf(url);
    expect(status).toBe(400);
    expect(body.error.code).toBe("bad_parameter");
    expect(body.error.message.startsWith(`${name}: `)).toBe(true);
    expect(body.error.message).toMatch(message);
  });

  it.each([
    [`${SPACE}/count?a=1`, "a", "at"],
    [`${SPACE}/history?setp=5m`, "setp", "from, to, step"],
    [`${SESSIONS}?lmit=5`, "lmit", "status, plate, from, to, limit, cursor"],
    ["/v1/sites/mall-a/spaces?x=1", "x", null],
    ["/v1/sites/mall-a/slots?x=1", "x", null],
    ["/v1/sites?x=1", "x", null],
    ["/v1/gateways?online=true", "online", null],
    ["/v1/rejected?count=5", "count", "limit"],
    ["/v1/sites/mall-a/events/stream?token=k", "token", "access_token"],
  ])("an unknown parameter in %s is a 400 naming it", async (url, name, known) => {
    const { status, body } = await errorOf(url);
    expect(status).toBe(400);
    expect(body.error.message).toBe(
      `${name}: is not a parameter of this endpoint; ${known === null ? "it takes none" : `it takes ${known}`}`,
    );
  });

  it("refuses a parameter given twice", async () => {
    const { status, body } = await errorOf(`${SESSIONS}?limit=5&limit=6`);
    expect(status).toBe(400);
    expect(body.error.message).toBe("limit: is given 2 times; give it once");
  });
});

describe("unknown routes", () => {
  it.each([
    ["GET", "/v1/nothing"],
    ["GET", "/v1/sites/mall-a/spaces/lot/nothing"],
    ["GET", "/nothing"],
    ["POST", "/v1/sites"],
    ["DELETE", "/v1/sites/mall-a/sessions"],
  ])("%s %s is a JSON 404 not_found", async (method, path) => {
    const response = await app.request(path, { method });
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({
      error: { code: "not_found", message: `no route for ${method} ${path}` },
    });
  });
});
