import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { crossings, gapEvent } from "../../gaps/test-support/gap-events.js";
import { createSilentLogger } from "../../logging/create-logger.js";
import { createSqliteStore } from "../../store/sqlite/sqlite-store.js";
import type { Store } from "../../store/store.js";
import { at, createTempDir, T0, type TempDir, testTopology } from "../../test-support/fixtures.js";
import { createApp } from "../app.js";
import { ErrorBodySchema } from "../errors.js";
import { gapsRoute } from "./gaps.schema.js";

let dir: TempDir;
let store: Store;
let app: ReturnType<typeof createApp>;

beforeEach(async () => {
  dir = createTempDir();
  const topology = testTopology();
  const logger = createSilentLogger();
  store = createSqliteStore({ path: dir.file("ingest.db"), topology, logger });
  app = createApp({ store, topology, logger });
  await store.insertBatch(
    "gw-1",
    [...crossings(4, 5), gapEvent(6, 1, 3), gapEvent(8, 7, 7, "disk-full")],
    T0,
  );
});
afterEach(async () => {
  await store.close();
  dir.remove();
});

async function get(url: string): Promise<{ status: number; body: unknown }> {
  const response = await app.request(url);
  return { status: response.status, body: await response.json() };
}

describe("GET /v1/gateways/{gateway}/gaps", () => {
  it("names the dropped seqs of each gap event and the total lost, in the declared shape", async () => {
    const { status, body } = await get("/v1/gateways/gw-1/gaps");
    expect(status).toBe(200);
    expect(body).toEqual({
      gateway: "gw-1",
      lost: 4,
      gaps: [
        {
          seq: 6,
          fromSeq: 1,
          toSeq: 3,
          count: 3,
          reason: "buffer-cap-bytes",
          occurredAt: at(6000),
          arrived: 0,
        },
        { seq: 8, fromSeq: 7, toSeq: 7, count: 1, reason: "disk-full", occurredAt: at(8000), arrived: 0 },
      ],
      nextAfter: null,
    });
    expect(gapsRoute.response.schema.parse(body)).toEqual(body);
  });

  it("pages with limit and after", async () => {
    const first = await get("/v1/gateways/gw-1/gaps?limit=1");
    expect(first.body).toMatchObject({ lost: 4, gaps: [{ seq: 6 }], nextAfter: 6 });
    const next = await get("/v1/gateways/gw-1/gaps?limit=1&after=6");
    expect(next.body).toMatchObject({ lost: 4, gaps: [{ seq: 8 }], nextAfter: null });
  });

  it("answers 404 unknown_gateway for a gateway never heard from and 400 for a bad limit", async () => {
    const unknown = await get("/v1/gateways/gw-nobody/gaps");
    expect(unknown.status).toBe(404);
    expect(ErrorBodySchema.parse(unknown.body).error.code).toBe("unknown_gateway");
    const bad = await get("/v1/gateways/gw-1/gaps?limit=0");
    expect(bad.status).toBe(400);
    expect(ErrorBodySchema.parse(bad.body).error.message).toMatch(/^limit: /);
  });

  it("is listed in the OpenAPI document", async () => {
    const document = (await (await app.request("/openapi.json")).json()) as {
      paths: Record<string, unknown>;
    };
    expect(document.paths["/v1/gateways/{gateway}/gaps"]).toHaveProperty("get");
  });
});
