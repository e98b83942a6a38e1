import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { connect as connectTcp } from "node:net";
import { promisify } from "node:util";
import { connectAsync } from "mqtt";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createMessageHandler, type MessageHandler } from "../ingest/handle-message.js";
import { createSilentLogger } from "../logging/create-logger.js";
import { startIngest } from "../run/start-ingest.js";
import { createSqliteStore } from "../store/sqlite/sqlite-store.js";
import type { Store } from "../store/store.js";
import {
  at,
  createTempDir,
  envelope,
  type TempDir,
  TOPOLOGY_YAML,
  testTopology,
  vehicle,
} from "../test-support/fixtures.js";
import { type ExternalConsumer, startExternalConsumer } from "./external-consumer.js";

/** The machine's real Mosquitto: a broker nobody here wrote. */
const MOSQUITTO = { host: "127.0.0.1", port: 1883 };
const URL_ = `mqtt://${MOSQUITTO.host}:${MOSQUITTO.port}`;
const runId = randomBytes(4).toString("hex");
// Unique per run: a gateway id, a client id, and a subscription that sees only this run's topics.
const GATEWAY = `gw-${runId}`;
const TOPIC = `lotwatch/v1/mall-a/${GATEWAY}/events`;
const TOPICS = [`lotwatch/v1/mall-a/${GATEWAY}/+`];
const logger = createSilentLogger();
const usedClientIds = new Set<string>();

let dir: TempDir;
let store: Store;
let consumers: ExternalConsumer[];

beforeAll(async () => {
  const reachable = await new Promise<boolean>((resolve) => {
    const socket = connectTcp(MOSQUITTO.port, MOSQUITTO.host);
    socket.setTimeout(2000, () => socket.destroy());
    socket.once("connect", () => {
      socket.end();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
    socket.once("close", () => resolve(false));
  });
  if (!reachable) {
    throw new Error(
      `Mosquitto is not reachable on ${MOSQUITTO.host}:${MOSQUITTO.port}: these tests need the real broker (start it: mosquitto -d, or systemctl start mosquitto)`,
    );
  }
});

beforeEach(() => {
  dir = createTempDir();
  store = createSqliteStore({ path: dir.file("ingest.db"), topology: testTopology(), logger });
  consumers = [];
});

afterEach(async () => {
  await Promise.all(consumers.map((consumer) => consumer.close()));
  await store.close();
  dir.remove();
});

afterAll(async () => {
  // Leave no persistent session (and no queued messages) behind on the shared broker.
  for (const clientId of usedClientIds) {
    const cleaner = await connectAsync(URL_, {
      clientId,
      protocolVersion: 5,
      clean: true,
      properties: { sessionExpiryInterval: 0 },
      reconnectPeriod: 0,
    });
    await cleaner.endAsync();
  }
});

function clientId(name: string): string {
  const id = `lotwatch-test-${runId}-${name}`;
  usedClientIds.add(id);
  return id;
}

async function start(id: string, handler: MessageHandler, shareGroup?: string): Promise<ExternalConsumer> {
  const consumer = await startExternalConsumer({
    url: URL_,
    clientId: id,
    shareGroup,
    handler,
    topics: TOPICS,
    sessionExpirySeconds: 120,
    reconnectPeriodMs: 100,
    connectTimeoutMs: 5000,
    logger,
  });
  consumers.push(consumer);
  return consumer;
}

function mosquittoPub(seqs: number[]): Promise<unknown> {
  const events = seqs.map((seq) => vehicle("vehicle.entry", "entry-1", seq, at(seq * 1000)));
  return promisify(execFile)(
    "/usr/bin/mosquitto_pub",
    [
      "-h",
      MOSQUITTO.host,
      "-p",
      String(MOSQUITTO.port),
      "-q",
      "1",
      "-t",
      TOPIC,
      "-m",
      JSON.stringify(envelope(GATEWAY, events)),
    ],
    { timeout: 10_000 },
  );
}

async function waitForEvents(seqs: number[], timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await Promise.all(seqs.map((seq) => store.getEvent(GATEWAY, seq)));
    if (found.every((event) => event !== null)) return;
    if (Date.now() > deadline) {
      const missing = seqs.filter((_, i) => found[i] === null);
      throw new Error(`events ${missing.join(", ")} were not stored within ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe("external broker consumer (real Mosquitto)", () => {
  it("stores what mosquitto_pub publishes, and gets what was published while it was away", async () => {
    const id = clientId("session");
    const handler = createMessageHandler({ store, logger });
    const first = await start(id, handler);
    await mosquittoPub([1, 2]);
    await waitForEvents([1, 2]);

    await first.close();
    await mosquittoPub([3]);
    await mosquittoPub([4, 5]);
    await start(id, handler);
    await waitForEvents([3, 4, 5]);
    expect(await store.totals()).toMatchObject({ events: 5, duplicates: 0 });
  });

  it("does not ack a message whose commit failed, and stores it when the broker redelivers", async () => {
    const real = createMessageHandler({ store, logger });
    let failures = 0;
    const flaky: MessageHandler = {
      async handleMessage(topic, message) {
        if (failures === 0) {
          failures++;
          throw new Error("disk full");
        }
        return real.handleMessage(topic, message);
      },
    };
    await start(clientId("flaky"), flaky);
    await mosquittoPub([7]);
    await waitForEvents([7]);
    expect(failures).toBe(1);
  });

  it("subscribes through a $share group", async () => {
    await start(clientId("shared"), createMessageHandler({ store, logger }), `ingest-${runId}`);
    await mosquittoPub([9]);
    await waitForEvents([9]);
  });

  it("runs the whole ingest on the external broker when given --broker settings", async () => {
    const ingest = await startIngest(
      {
        topologyPath: dir.file("topology.yaml", TOPOLOGY_YAML),
        dbPath: dir.file("whole.db"),
        host: "127.0.0.1",
        httpPort: 0,
        insecure: false,
        broker: { url: URL_, clientId: clientId("whole") },
      },
      { logger },
    );
    try {
      expect(ingest.mqttUrl).toBe(URL_);
      await mosquittoPub([11]);
      const deadline = Date.now() + 5000;
      let gateway: { id: string; events: number } | undefined;
      while (gateway?.events !== 1 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        const body = (await (await fetch(`${ingest.httpUrl}/v1/gateways`)).json()) as {
          gateways: { id: string; events: number }[];
        };
        gateway = body.gateways.find((row) => row.id === GATEWAY);
      }
      expect(gateway).toMatchObject({ id: GATEWAY, events: 1 });
    } finally {
      await ingest.close();
    }
  });

  it("fails to start with a message naming the broker when nothing listens there", async () => {
    await expect(
      startExternalConsumer({
        url: "mqtt://127.0.0.1:1",
        clientId: clientId("nowhere"),
        handler: createMessageHandler({ store, logger }),
        connectTimeoutMs: 500,
        logger,
      }),
    ).rejects.toThrow(/no connection to the broker mqtt:\/\/127\.0\.0\.1:1 within 0\.5 s/);
    usedClientIds.delete(`lotwatch-test-${runId}-nowhere`);
  });
});
