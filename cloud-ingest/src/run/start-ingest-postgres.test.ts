import { connectAsync } from "mqtt";
import { afterEach, expect, it } from "vitest";
import { createSilentLogger } from "../logging/create-logger.js";
import {
  createTestSchema,
  describePostgres,
  type TestSchema,
} from "../store/postgres/test-support/test-database.js";
import {
  at,
  createTempDir,
  envelope,
  payload,
  type TempDir,
  TOPOLOGY_YAML,
  vehicle,
} from "../test-support/fixtures.js";
import { type RunningIngest, startIngest } from "./start-ingest.js";

let dir: TempDir | undefined;
let schema: TestSchema | undefined;
let running: RunningIngest | undefined;

afterEach(async () => {
  await running?.close();
  await schema?.drop();
  dir?.remove();
  running = undefined;
  schema = undefined;
  dir = undefined;
});

describePostgres("startIngest with --db postgres://", () => {
  it("stores what gateways publish in PostgreSQL and answers counts from it", async () => {
    dir = createTempDir();
    schema = createTestSchema();
    running = await startIngest(
      {
        topologyPath: dir.file("topology.yaml", TOPOLOGY_YAML),
        dbPath: schema.url,
        host: "127.0.0.1",
        httpPort: 0,
        mqttPort: 0,
        insecure: false,
        retentionDays: 400,
      },
      { logger: createSilentLogger() },
    );
    const client = await connectAsync(running.mqttUrl, { clientId: "gw-1" });
    const events = [
      vehicle("vehicle.entry", "entry-1", 1, at(0)),
      vehicle("vehicle.entry", "entry-1", 2, at(1)),
    ];
    await client.publishAsync("lotwatch/v1/mall-a/gw-1/events", payload(envelope("gw-1", events)), {
      qos: 1,
    });
    await client.endAsync();
    const response = await fetch(`${running.httpUrl}/v1/sites/mall-a/spaces/lot/count`);
    expect(await response.json()).toMatchObject({ site: "mall-a", space: "lot", count: 2 });
  });
});
