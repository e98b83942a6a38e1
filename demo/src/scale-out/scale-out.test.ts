import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { createMessageHandler } from "@lotwatch/cloud-ingest/ingest/handle-message.js";
import { createSilentLogger } from "@lotwatch/cloud-ingest/logging/create-logger.js";
import { dropSchema, probePostgres } from "@lotwatch/cloud-ingest/store/postgres/admin.js";
import { createPostgresStore } from "@lotwatch/cloud-ingest/store/postgres/postgres-store.js";
import { createSqliteStore } from "@lotwatch/cloud-ingest/store/sqlite/sqlite-store.js";
import { parseTopology } from "@lotwatch/cloud-ingest/topology/load-topology.js";
import { createTopologyIndex } from "@lotwatch/cloud-ingest/topology/topology-index.js";
import { connectAsync } from "mqtt";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { type Batch, generateScaleOutScenario } from "./scenario.js";
import { type Snapshot, snapshot } from "./snapshot.js";
import { createWorker, type Worker } from "./workers.js";

const BROKER = process.env.LOTWATCH_TEST_BROKER ?? "mqtt://127.0.0.1:1883";
const PG = process.env.LOTWATCH_TEST_PG ?? "postgres://postgres@127.0.0.1:5432/test";
/** `LOTWATCH_SCALE_OUT_SITES=400` for the long run; CI replays 24 sites. */
const SITES = Number(process.env.LOTWATCH_SCALE_OUT_SITES ?? 24);
const SEED = Number(process.env.LOTWATCH_SCALE_OUT_SEED ?? 6);
/** Synced stamps are never corrected: the workers and the reference see different transit times. */
const CLOCK_THRESHOLD_MS = 86_400_000;
const IN_FLIGHT = 16;

const reachable = (url: string) =>
  new Promise<boolean>((resolve) => {
    const { hostname, port } = new URL(url);
    const socket = createConnection({ host: hostname, port: Number(port || 1883) });
    socket.setTimeout(2000);
    socket.once("connect", () => resolve(socket.end() !== undefined));
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => resolve(socket.destroy() === undefined));
  });

const payloadOf = (batch: Batch, sentAt: number) =>
  Buffer.from(
    JSON.stringify({
      v: 1,
      gateway: batch.gateway,
      sentAt: new Date(sentAt).toISOString(),
      bootId: `${batch.gateway}-boot`,
      uptimeMs: sentAt - 1_700_000_000_000,
      events: batch.events,
    }),
  );

describe("scale-out: two ingest workers behind Mosquitto share one PostgreSQL", () => {
  const run = randomBytes(4).toString("hex");
  const dir = mkdtempSync(join(tmpdir(), "lotwatch-scale-out-"));
  const db = `${PG}${PG.includes("?") ? "&" : "?"}schema=lw_scale_${run}`;
  const shareGroup = `lotwatch-scale-${run}`;
  const clientIds = ["a", "b"].map((name) => `lotwatch-scale-${run}-${name}`);
  const scenario = generateScaleOutScenario({
    seed: SEED,
    prefix: `so${run}`,
    sites: SITES,
    reads: 60,
    batchSize: 8,
  });
  const topologyFile = join(dir, "topology.yaml");
  writeFileSync(topologyFile, scenario.topology);
  const workers: Worker[] = clientIds.map((clientId, i) =>
    createWorker({
      name: `worker-${i === 0 ? "a" : "b"}`,
      dir,
      topology: topologyFile,
      db,
      broker: BROKER,
      clientId,
      shareGroup,
      args: ["--clock-threshold-ms", String(CLOCK_THRESHOLD_MS)],
    }),
  );

  beforeAll(async () => {
    if (!(await reachable(BROKER)))
      throw new Error(`the scale-out test needs an MQTT broker at ${BROKER} (Mosquitto)`);
    const pgDown = await probePostgres(PG);
    if (pgDown !== null) throw new Error(`the scale-out test needs PostgreSQL at ${PG}: ${pgDown}`);
    for (const worker of workers) await worker.start();
  }, 90_000);

  afterAll(async () => {
    for (const worker of workers) await worker.stop("SIGTERM");
    // Leave no persistent session (and no queued messages) behind on the shared broker.
    for (const clientId of clientIds) {
      const cleaner = await connectAsync(BROKER, {
        clientId,
        protocolVersion: 5,
        clean: true,
        properties: { sessionExpiryInterval: 0 },
        reconnectPeriod: 0,
      }).catch(() => null);
      await cleaner?.endAsync();
    }
    await dropSchema(db).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it("ends with the sessions, counts and summaries of one SQLite ingest, although a worker was killed -9 mid-run", async () => {
    onTestFailed(() => {
      for (const worker of workers) {
        const log = readFileSync(worker.logFile, "utf8").trimEnd().split("\n").slice(-15).join("\n");
        console.error(`--- ${worker.logFile}\n${log}`);
      }
    });
    const [a, b] = workers as [Worker, Worker];
    const publisher = await connectAsync(BROKER, {
      clientId: `lotwatch-scale-${run}-pub`,
      protocolVersion: 5,
    });
    const payloads = scenario.batches.map((batch) => ({ batch, payload: payloadOf(batch, Date.now()) }));
    const started = performance.now();
    const publishing = (async () => {
      for (let i = 0; i < payloads.length; i += IN_FLIGHT) {
        await Promise.all(
          payloads.slice(i, i + IN_FLIGHT).map(({ batch, payload }) =>
            publisher.publishAsync(`lotwatch/v1/${batch.site}/${batch.gateway}/events`, payload, {
              qos: 1,
            }),
          ),
        );
      }
    })();
    // Kill A once it has stored a fifth of the events (about 40% of the run, as B does the same).
    const killAfter = Math.floor(scenario.events / 5);
    for (let tries = 0; tries < 600 && (await a.eventsStored()) < killAfter; tries++) await sleep(100);
    const killedAfter = await a.eventsStored();
    await a.stop("SIGKILL");
    await sleep(1000);
    await a.start();
    await publishing;
    await publisher.endAsync();

    const pg = await createPostgresStore({
      url: db,
      topology: createTopologyIndex(parseTopology(scenario.topology, "topology.yaml")),
      logger: createSilentLogger(),
      poolSize: 2,
    });
    try {
      // Only this run's gateways: other tests may publish on the shared broker meanwhile.
      const stored = async () => {
        const ours = (await pg.listGateways()).filter((gateway) => gateway.id.startsWith(`so${run}-`));
        return {
          events: ours.reduce((sum, gateway) => sum + gateway.events, 0),
          duplicates: ours.reduce((sum, gateway) => sum + gateway.duplicates, 0),
        };
      };
      const deadline = Date.now() + 120_000;
      while ((await stored()).events < scenario.events && Date.now() < deadline) await sleep(250);
      const replayMs = performance.now() - started;
      const totals = await stored();
      expect(totals.events).toBe(scenario.events);
      // The kill landed mid-run: A had stored its share so far, and the rest was still to come.
      expect(killedAfter).toBeGreaterThanOrEqual(killAfter);
      expect(killedAfter).toBeLessThan(scenario.events / 2);
      const storedByB = await b.eventsStored();
      expect(storedByB).toBeGreaterThan(0);

      const reference = await referenceSnapshot(payloads.map((p) => p.payload));
      const actual = await snapshot(pg, scenario);
      if (process.env.SCALE_DUMP)
        writeFileSync(process.env.SCALE_DUMP, JSON.stringify({ actual, reference }));
      expect(actual).toEqual(reference);
      console.info(
        `scale-out: ${scenario.sites.length} sites, ${scenario.events} events in ${payloads.length} envelopes ` +
          `through 2 workers in ${Math.round(replayMs)} ms; worker A killed -9 after storing ${killedAfter} events ` +
          `and restarted (B stored ${storedByB}); ${totals.duplicates} duplicates redelivered; same as one SQLite ingest ` +
          `(orphan summaries: ${actual.orphanSummaries} workers, ${reference.orphanSummaries} SQLite)`,
      );
    } finally {
      await pg.close();
    }
  }, 240_000);

  /** The same envelopes through one in-process SQLite store, as a single ingest would store them. */
  async function referenceSnapshot(payloads: Buffer[]): Promise<Snapshot> {
    const topology = createTopologyIndex(parseTopology(scenario.topology, "topology.yaml"));
    const store = createSqliteStore({
      path: join(dir, "reference.db"),
      topology,
      logger: createSilentLogger(),
      clock: { syncedThresholdMs: CLOCK_THRESHOLD_MS },
    });
    try {
      const handler = createMessageHandler({ store, logger: createSilentLogger() });
      for (const [i, payload] of payloads.entries()) {
        const batch = scenario.batches[i] as Batch;
        await handler.handleMessage(`lotwatch/v1/${batch.site}/${batch.gateway}/events`, payload);
      }
      return await snapshot(store, scenario);
    } finally {
      await store.close();
    }
  }
});
