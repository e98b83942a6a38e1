import { execFile } from "node:child_process";
import { promisify } from "node:util";
import Database from "better-sqlite3";
import { connectAsync, type ErrorWithSubackPacket, type IClientOptions, type MqttClient } from "mqtt";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addGateway } from "../credentials/add-gateway.js";
import { type RunningIngest, startIngest } from "../run/start-ingest.js";
import {
  at,
  createTempDir,
  envelope,
  payload,
  type TempDir,
  TOPOLOGY_YAML,
  vehicle,
} from "../test-support/fixtures.js";

const run = promisify(execFile);
const OWN = "lotwatch/v1/mall-a/gw-1/events";
let dir: TempDir;
let ingest: RunningIngest;
let secrets: Record<string, string>;
let dbPath: string;
const logLines: { msg: string; reason?: string; client?: string }[] = [];
const clients: MqttClient[] = [];

beforeAll(async () => {
  dir = createTempDir();
  const gatewaysPath = dir.file("gateways.yaml");
  secrets = {};
  for (const [id, site] of [
    ["gw-1", "mall-a"],
    ["gw-2", "mall-a"],
  ] as const) {
    secrets[id] = (await addGateway({ file: gatewaysPath, id, site })).secret;
  }
  dbPath = dir.file("ingest.db");
  const logger = pino({ level: "warn" }, { write: (line: string) => logLines.push(JSON.parse(line)) });
  ingest = await startIngest(
    {
      topologyPath: dir.file("topology.yaml", TOPOLOGY_YAML),
      dbPath,
      host: "127.0.0.1",
      httpPort: 0,
      mqttPort: 0,
      insecure: false,
      gatewaysPath,
      maxPayloadBytes: 16 * 1024,
      maxPacketBytes: 64 * 1024,
    },
    { logger },
  );
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.endAsync(true)));
  await ingest.close();
  dir.remove();
});

function connect(id: string, options: IClientOptions = {}): Promise<MqttClient> {
  return connectAsync(ingest.mqttUrl, {
    clientId: id,
    username: id,
    password: secrets[id],
    reconnectPeriod: 0,
    connectTimeout: 5000,
    ...options,
  }).then((client) => {
    clients.push(client);
    return client;
  });
}

/** The CONNACK return code of a refused connection. */
async function refusedWith(id: string, options: IClientOptions): Promise<number | undefined> {
  const error = await connect(id, options).then(
    () => undefined,
    (failure: { code?: number }) => failure,
  );
  expect(error, "the connection should have been refused").toBeDefined();
  return error?.code;
}

/** Publishes QoS 1 and resolves when the broker drops the connection instead of acking. */
async function publishIsRefused(client: MqttClient, topic: string, message: Buffer | string): Promise<void> {
  let acked = false;
  const closed = new Promise<void>((resolve) => client.once("close", () => resolve()));
  client.publish(topic, message, { qos: 1 }, (error) => {
    if (!error) acked = true;
  });
  await within(5000, closed, `the broker kept ${topic} open`);
  expect(acked).toBe(false);
}

function within<T>(ms: number, promise: Promise<T>, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(what)), ms)),
  ]);
}

function storedRows(): { events: number; rejected: number } {
  const db = new Database(dbPath, { readonly: true });
  try {
    return db
      .prepare("SELECT (SELECT COUNT(*) FROM events) AS events, (SELECT COUNT(*) FROM rejected) AS rejected")
      .get() as {
      events: number;
      rejected: number;
    };
  } finally {
    db.close();
  }
}

async function refusalCounts(): Promise<Record<string, number>> {
  const text = await (await fetch(`${ingest.httpUrl}/metrics`)).text();
  const counts: Record<string, number> = {};
  for (const match of text.matchAll(/^lotwatch_ingest_broker_refusals_total\{reason="(\w+)"\} (\d+)$/gm)) {
    counts[match[1] as string] = Number(match[2]);
  }
  return counts;
}

const event = (seq: number) => payload(envelope("gw-1", [vehicle("vehicle.entry", "entry-1", seq, at(seq))]));

describe("gateway credentials on the embedded broker", () => {
  it("refuses each bad attempt, stores nothing of it, and counts each by reason", async () => {
    expect(await refusedWith("gw-1", { password: "wrong" })).toBe(4);
    expect(await refusedWith("gw-1", { password: "wrong" })).toBe(4);
    expect(await refusedWith("gw-9", { password: "whatever" })).toBe(4);
    expect(await refusedWith("gw-1", { password: undefined, username: undefined })).toBe(4);
    expect(await refusedWith("gw-2", { username: "gw-1", password: secrets["gw-1"] })).toBe(2);

    await publishIsRefused(await connect("gw-1"), "lotwatch/v1/mall-a/gw-2/events", event(1));
    await publishIsRefused(await connect("gw-1"), "lotwatch/v1/mall-b/gw-1/events", event(2));
    await publishIsRefused(await connect("gw-1"), "lotwatch/v1/mall-a/+/events", event(3));
    await publishIsRefused(await connect("gw-1"), "lotwatch/v1/mall-a/gw-1/events/extra", event(4));
    await publishIsRefused(await connect("gw-1"), "$SYS/broker/fake", "x");
    await publishIsRefused(await connect("gw-1"), OWN, Buffer.alloc(100 * 1024, "x"));

    const subscriber = await connect("gw-1");
    // mqtt.js rejects a SUBACK with failures; the packet says what was granted per filter.
    const suback = await subscriber
      .subscribeAsync(["#", "$SYS/#", "lotwatch/v1/mall-a/+/events"], { qos: 1 })
      .then(
        () => undefined,
        (error: ErrorWithSubackPacket) => error.packet,
      );
    expect(suback?.granted).toEqual([128, 128, 128]);
    expect(subscriber.connected).toBe(true);

    expect(storedRows()).toEqual({ events: 0, rejected: 0 });
    expect(await refusalCounts()).toMatchObject({
      bad_secret: 2,
      unknown_gateway: 1,
      missing_credentials: 1,
      client_id_mismatch: 1,
      publish_other_gateway: 1,
      publish_other_site: 1,
      publish_wildcard: 1,
      publish_outside_topics: 2,
      packet_too_large: 1,
      subscribe_outside_prefix: 2,
      subscribe_reserved: 1,
    });
    const badSecretLogs = logLines.filter((line) => line.reason === "bad_secret");
    expect(badSecretLogs, "a repeated refusal is logged once").toHaveLength(1);
  });

  it("accepts a gateway with its secret and stores what it publishes under its own topics", async () => {
    const client = await connect("gw-2");
    await client.publishAsync(
      "lotwatch/v1/mall-a/gw-2/events",
      payload(envelope("gw-2", [vehicle("vehicle.entry", "entry-1", 1, at(0))])),
      { qos: 1 },
    );
    await client.publishAsync(
      "lotwatch/v1/mall-a/gw-2/status",
      payload({ v: 1, gateway: "gw-2", site: "mall-a", online: true, at: at(0) }),
      { qos: 1 },
    );
    const granted = await client.subscribeAsync("lotwatch/v1/mall-a/gw-2/#", { qos: 1 });
    expect(granted[0]?.qos).toBe(1);
    const count = await (await fetch(`${ingest.httpUrl}/v1/sites/mall-a/spaces/lot/count`)).json();
    expect(count).toMatchObject({ count: 1 });
    const gateways = (await (await fetch(`${ingest.httpUrl}/v1/gateways`)).json()) as {
      gateways: { id: string; online: boolean }[];
    };
    expect(gateways.gateways).toEqual([expect.objectContaining({ id: "gw-2", online: true })]);
  });

  it("takes mosquitto_pub with credentials, and refuses it under another gateway's topic", async () => {
    const port = new URL(ingest.mqttUrl).port;
    const before = (await refusalCounts()).publish_other_gateway ?? 0;
    const pub = (topic: string, message: string) =>
      run(
        "/usr/bin/mosquitto_pub",
        [
          "-h",
          "127.0.0.1",
          "-p",
          port,
          "-i",
          "gw-1",
          "-u",
          "gw-1",
          "-P",
          secrets["gw-1"] ?? "",
          "-q",
          "1",
        ].concat(["-t", topic, "-m", message]),
        { timeout: 10_000 },
      );
    await pub(OWN, JSON.stringify(envelope("gw-1", [vehicle("vehicle.entry", "entry-1", 50, at(0))])));
    const stored = storedRows().events;
    const foreign = JSON.stringify(envelope("gw-2", [vehicle("vehicle.entry", "entry-1", 51, at(0))]));
    await pub("lotwatch/v1/mall-a/gw-2/events", foreign).catch(() => undefined);
    expect(storedRows().events).toBe(stored);
    expect((await refusalCounts()).publish_other_gateway).toBe(before + 1);
    const db = new Database(dbPath, { readonly: true });
    try {
      expect(db.prepare("SELECT gateway, seq FROM events WHERE seq >= 50").all()).toEqual([
        { gateway: "gw-1", seq: 50 },
      ]);
    } finally {
      db.close();
    }
  });
});
