import type { AddressInfo } from "node:net";
import { createAdaptorServer, type ServerType } from "@hono/node-server";
import { Registry } from "prom-client";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { newApiKey } from "../../api-keys/api-key-format.js";
import { createApiKeyVerifier } from "../../api-keys/key-verifier.js";
import { hashSecret } from "../../credentials/secret-hash.js";
import { createSilentLogger } from "../../logging/create-logger.js";
import { createSqliteStore } from "../../store/sqlite/sqlite-store.js";
import type { Store } from "../../store/store.js";
import { createTempDir, type TempDir, testTopology } from "../../test-support/fixtures.js";
import { createApp } from "../app.js";
import { ROUTE_CATALOG } from "../route-catalog.js";

const CHEAP = { N: 1024, r: 8, p: 1 };
const logger = createSilentLogger();
const KEY = newApiKey("dashboard");
let dir: TempDir;
let store: Store;
let app: ReturnType<typeof createApp>;
let server: ServerType | undefined;

beforeEach(async () => {
  dir = createTempDir();
  const topology = testTopology();
  store = createSqliteStore({ path: dir.file("ingest.db"), topology, logger });
  const verifier = createApiKeyVerifier({
    keys: [{ name: "dashboard", keyHash: await hashSecret(KEY, CHEAP) }],
  });
  app = createApp({
    store,
    topology,
    logger,
    metrics: new Registry(),
    apiKeys: verifier,
    streamHeartbeatMs: 50,
  });
});
afterEach(async () => {
  if (server !== undefined) {
    const closing = server;
    await new Promise<void>((resolve) => {
      closing.close(() => resolve());
      if ("closeAllConnections" in closing) closing.closeAllConnections();
    });
    server = undefined;
  }
  await store.close();
  dir.remove();
});

const bearer = (key: string) => ({ headers: { authorization: `Bearer ${key}` } });
const urlOf = (path: string) =>
  path.replace(":site", "mall-a").replace(":space", "lot").replace(":file", "app.js");

async function listen(): Promise<string> {
  server = createAdaptorServer({ fetch: app.fetch });
  const listening = server;
  await new Promise<void>((resolve) => listening.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(listening.address() as AddressInfo).port}`;
}

describe("API keys", () => {
  it("guards every /v1 route of the catalog and leaves health and the document open", async () => {
    for (const spec of ROUTE_CATALOG) {
      const response = await app.request(urlOf(spec.path));
      if (spec.access === "public") {
        expect(response.status, spec.path).toBe(200);
        continue;
      }
      expect(response.status, spec.path).toBe(401);
      expect(response.headers.get("www-authenticate")).toBe('Bearer realm="lotwatch"');
      expect(await response.json()).toEqual({
        error: {
          code: "unauthorized",
          message: expect.stringMatching(/needs an API key: send Authorization: Bearer KEY/),
        },
      });
    }
  });

  it("lets a valid key in and names what is wrong with the others", async () => {
    expect((await app.request("/v1/sites", bearer(KEY))).status).toBe(200);
    expect((await app.request("/v1/sites", bearer(KEY))).status).toBe(200);
    const wrong = await app.request("/v1/sites", bearer(`${KEY}x`));
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({
      error: { message: expect.stringMatching(/API key is not valid/) },
    });
    const basic = await app.request("/v1/sites", { headers: { authorization: "Basic ZGFzaDpib2FyZA==" } });
    expect(await basic.json()).toMatchObject({
      error: { code: "unauthorized", message: expect.stringMatching(/must be `Bearer KEY`/) },
    });
  });

  it("checks the key before the route, so an unknown /v1 path does not reveal itself", async () => {
    expect((await app.request("/v1/secret-things")).status).toBe(401);
    expect((await app.request("/v1/secret-things", bearer(KEY))).status).toBe(404);
  });

  it("answers 503 busy with Retry-After when too many new keys are being checked", async () => {
    const busy = createApp({
      store,
      topology: testTopology(),
      logger,
      apiKeys: { verify: async () => ({ ok: false, reason: "busy" }) },
    });
    const response = await busy.request("/v1/sites", bearer("dashboard.guess"));
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("1");
    expect(await response.json()).toMatchObject({ error: { code: "busy" } });
  });

  it("opens /metrics to this machine over real HTTP, and to others only with a key", async () => {
    expect((await app.request("/metrics")).status).toBe(401);
    expect((await app.request("/metrics", bearer(KEY))).status).toBe(200);
    const base = await listen();
    expect((await fetch(`${base}/metrics`)).status).toBe(200);
    expect((await fetch(`${base}/v1/sites`)).status).toBe(401);
  });

  it("takes the key on the event stream as a header or as ?access_token, and only there", async () => {
    const base = await listen();
    for (const [url, init] of [
      [`${base}/v1/sites/mall-a/events/stream`, bearer(KEY)],
      [`${base}/v1/sites/mall-a/events/stream?access_token=${encodeURIComponent(KEY)}`, {}],
    ] as const) {
      const controller = new AbortController();
      const response = await fetch(url, { ...init, signal: controller.signal });
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("text/event-stream");
      controller.abort();
    }
    const refused = await fetch(`${base}/v1/sites/mall-a/events/stream?access_token=dashboard.nope`);
    expect(refused.status).toBe(401);
    const elsewhere = await fetch(`${base}/v1/sites?access_token=${encodeURIComponent(KEY)}`);
    expect(elsewhere.status).toBe(401);
  });
});
