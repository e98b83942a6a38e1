import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { connectAsync, type MqttClient } from "mqtt";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createApp } from "../api/app.js";
import { createMessageHandler, type MessageHandler } from "../ingest/handle-message.js";
import { createSilentLogger } from "../logging/create-logger.js";
import { listen } from "../run/listen.js";
import { createSqliteStore } from "../store/sqlite/sqlite-store.js";
import type { Store } from "../store/store.js";
import {
  at,
  createTempDir,
  envelope,
  payload,
  type TempDir,
  testTopology,
  vehicle,
} from "../test-support/fixtures.js";
import { createEmbeddedBroker, type EmbeddedBroker } from "./embedded-broker.js";

const TOPIC = "lotwatch/v1/mall-a/gw-1/events";
const logger = createSilentLogger();
let dir: TempDir;
let store: Store;
let broker: EmbeddedBroker;
let port: number;
let clients: MqttClient[];
/** What the broker calls; tests swap in slow or failing commits. */
let commit: MessageHandler["handleMessage"];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeEach(async () => {
  dir = createTempDir();
  store = createSqliteStore({ path: dir.file("ingest.db"), topology: testTopology(), logger });
  const real = createMessageHandler({ store, logger });
  commit = real.handleMessage;
  broker = await createEmbeddedBroker({ handler: { handleMessage: (t, p) => commit(t, p) }, logger });
  port = await listen(broker.server, "127.0.0.1", 0);
  clients = [];
});

afterEach(async () => {
  await Promise.all(clients.map((client) => client.endAsync(true)));
  await broker.close();
  await store.close();
  dir.remove();
});

async function connect(options: Parameters<typeof connectAsync>[1] = {}): Promise<MqttClient> {
  const client = await connectAsync(`mqtt://127.0.0.1:${port}`, {
    clientId: "gw-1",
    connectTimeout: 5000,
    reconnectPeriod: 200,
    ...options,
  });
  clients.push(client);
  return client;
}

describe("embedded broker", () => {
  it("sends PUBACK only after the events are stored", async () => {
    const realCommit = commit;
    commit = async (topic, message) => {
      await sleep(150); // a slow disk: PUBACK must still wait for the commit
      return realCommit(topic, message);
    };
    const client = await connect();
    const events = [
      vehicle("vehicle.entry", "entry-1", 1, at(0)),
      vehicle("vehicle.entry", "entry-1", 2, at(1)),
    ];
    await client.publishAsync(TOPIC, payload(envelope("gw-1", events)), { qos: 1 });
    expect(await store.getEvent("gw-1", 1)).not.toBeNull();
    expect(await store.getEvent("gw-1", 2)).not.toBeNull();
  });

  it("delivers to a subscriber that sends nothing back without waiting for its delayed TCP ACKs", async () => {
    const subscriber = await connect({ clientId: "watcher" });
    await subscriber.subscribeAsync("watch/#", { qos: 0 });
    const publisher = await connect({ clientId: "sender" });
    // The publisher's own socket without Nagle, so only the broker's socket is measured.
    (publisher.stream as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
    const delays: number[] = [];
    subscriber.on("message", (_topic, message) =>
      delays.push(performance.now() - Number.parseFloat(message.toString())),
    );
    // Small packets a few ms apart: with Nagle on, each waits for the subscriber's TCP ACK of the
    // one before, which Linux delays by up to 40 ms when the subscriber has nothing to send.
    for (let i = 0; i < 60; i++) {
      publisher.publish("watch/now", `${performance.now()} ${"x".repeat(500)}`, { qos: 0 });
      await sleep(3);
    }
    const deadline = Date.now() + 2000;
    while (delays.length < 60 && Date.now() < deadline) await sleep(10);
    expect(delays).toHaveLength(60);
    // With Nagle the first ten or so took 20–40 ms each; without, each takes well under 1 ms.
    expect(delays.filter((delay) => delay > 20).length).toBeLessThan(3);
  });

  it("counts a repeated envelope as duplicates and changes no count", async () => {
    const client = await connect();
    const message = payload(envelope("gw-1", [vehicle("vehicle.entry", "entry-1", 1, at(0))]));
    await client.publishAsync(TOPIC, message, { qos: 1 });
    await client.publishAsync(TOPIC, message, { qos: 1 });
    expect(await store.totals()).toMatchObject({ events: 1, duplicates: 1 });
    expect((await store.currentCounts("mall-a")).find((row) => row.space === "lot")?.reading.count).toBe(1);
  });

  it("acks malformed content because its rejection is stored", async () => {
    const client = await connect();
    await client.publishAsync(TOPIC, "not json at all", { qos: 1 });
    expect((await store.listRejected(1))[0]?.reason).toMatch(/^not JSON/);
  });

  it("withholds PUBACK when the commit fails, and stores the resend after reconnecting", async () => {
    const realCommit = commit;
    let failures = 0;
    commit = async () => {
      failures++;
      throw new Error("disk full");
    };
    const client = await connect({ clean: false });
    let acked = false;
    const published = client
      .publishAsync(TOPIC, payload(envelope("gw-1", [vehicle("vehicle.entry", "entry-1", 7, at(0))])), {
        qos: 1,
      })
      .then(() => {
        acked = true;
      });
    await new Promise<void>((resolve) => client.once("close", () => resolve()));
    expect(failures).toBe(1);
    expect(acked).toBe(false);
    commit = realCommit;
    await Promise.race([
      published,
      sleep(5000).then(() => Promise.reject(new Error("no PUBACK after reconnect"))),
    ]);
    expect(await store.getEvent("gw-1", 7)).not.toBeNull();
  });

  it("finishes a running commit before close resolves", async () => {
    const realCommit = commit;
    let started: () => void = () => {};
    const commitStarted = new Promise<void>((resolve) => {
      started = resolve;
    });
    commit = async (topic, message) => {
      started();
      await sleep(200);
      return realCommit(topic, message);
    };
    const client = await connect({ reconnectPeriod: 0 });
    client.publish(TOPIC, payload(envelope("gw-1", [vehicle("vehicle.entry", "entry-1", 1, at(0))])), {
      qos: 1,
    });
    await commitStarted;
    await broker.close();
    expect(await store.getEvent("gw-1", 1)).not.toBeNull();
  });

  it("stores a gateway's Last Will as its offline status", async () => {
    const statusTopic = "lotwatch/v1/mall-a/gw-1/status";
    const status = (online: boolean) => payload({ v: 1, gateway: "gw-1", site: "mall-a", online, at: at(0) });
    const client = await connect({
      reconnectPeriod: 0,
      will: { topic: statusTopic, payload: status(false), qos: 1, retain: true },
    });
    await client.publishAsync(statusTopic, status(true), { qos: 1, retain: true });
    expect((await store.listGateways())[0]?.online).toBe(true);
    client.stream.destroy();
    const deadline = Date.now() + 5000;
    while ((await store.listGateways())[0]?.online !== false && Date.now() < deadline) await sleep(20);
    expect((await store.listGateways())[0]?.online).toBe(false);
  });

  it("takes a QoS 1 publish from Mosquitto's own client, and the REST count is right", async () => {
    const events = [
      vehicle("vehicle.entry", "entry-1", 1, at(0)),
      vehicle("vehicle.entry", "entry-l1", 2, at(1000)),
      vehicle("vehicle.exit", "exit-1", 3, at(2000)),
    ];
    await promisify(execFile)(
      "/usr/bin/mosquitto_pub",
      [
        "-h",
        "127.0.0.1",
        "-p",
        String(port),
        "-q",
        "1",
        "-t",
        TOPIC,
        "-m",
        JSON.stringify(envelope("gw-1", events)),
      ],
      { timeout: 10_000 },
    );
    const app = createApp({ store, topology: testTopology(), logger });
    const response = await app.request(`/v1/sites/mall-a/spaces/lot/count?at=${at(1500)}`);
    expect(await response.json()).toMatchObject({ site: "mall-a", space: "lot", count: 2, capacity: 500 });
    const now = await app.request("/v1/sites/mall-a/spaces/level-1/count");
    expect(await now.json()).toMatchObject({ count: 1, capacity: 250 });
  });
});
