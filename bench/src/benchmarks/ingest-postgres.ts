import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createMessageHandler, type MessageHandler } from "@lotwatch/cloud-ingest/ingest/handle-message.js";
import { createSilentLogger } from "@lotwatch/cloud-ingest/logging/create-logger.js";
import { dropSchema, probePostgres } from "@lotwatch/cloud-ingest/store/postgres/admin.js";
import { createPostgresStore } from "@lotwatch/cloud-ingest/store/postgres/postgres-store.js";
import { createSqliteStore } from "@lotwatch/cloud-ingest/store/sqlite/sqlite-store.js";
import type { Store } from "@lotwatch/cloud-ingest/store/store.js";
import { loadTopology } from "@lotwatch/cloud-ingest/topology/load-topology.js";
import { createTopologyIndex, type TopologyIndex } from "@lotwatch/cloud-ingest/topology/topology-index.js";
import { buildTopic } from "@lotwatch/protocol/topics.js";
import { MALL_SITE, mallTopology } from "../fixtures/mall-topology.js";
import { MIX_DESCRIPTION, readingMix } from "../fixtures/reading-mix.js";
import { encodeEnvelope, newSenderClock, toEnvelopes, type WireEnvelope } from "../fixtures/wire-events.js";
import { ratioSamples } from "../harness/stats.js";
import type { Benchmark } from "../harness/types.js";

/** `LOTWATCH_BENCH_PG`, else the machine's PostgreSQL; each sample gets its own schema. */
const PG_URL = process.env.LOTWATCH_BENCH_PG ?? "postgres://postgres@127.0.0.1:5432/test";
/** One gateway per site: sites are the unit the PostgreSQL store locks, so the unit of scale-out. */
const SITES = 4;
const BATCH = 100;

export const ingestPostgres: Benchmark = {
  name: "ingest-postgres",
  title: "Ingest rate into PostgreSQL, one and two workers, against SQLite",
  steps: (_mode, samples) => samples * 3,
  async run(context) {
    const down = await probePostgres(PG_URL);
    if (down !== null) throw new Error(`needs PostgreSQL at ${PG_URL} (set LOTWATCH_BENCH_PG): ${down}`);
    const events = context.mode === "quick" ? 4_000 : 20_000;
    const topologyPath = join(context.workDir, "sites.json");
    writeFileSync(topologyPath, JSON.stringify(sitesTopology()));
    const topology = createTopologyIndex(loadTopology(topologyPath));
    const envelopes = spreadOverSites(
      toEnvelopes(readingMix(events, 31), { batchSize: BATCH, gateways: gateways() }),
    );
    const sqlite: number[] = [];
    const one: number[] = [];
    const two: number[] = [];
    for (let i = 0; i < context.samples; i++) {
      context.progress.step(`SQLite ${i + 1}/${context.samples}`);
      const store = createSqliteStore({
        path: join(context.workDir, `sqlite-${i}.db`),
        topology,
        logger: createSilentLogger(),
      });
      sqlite.push(await timed(envelopes, [store]).finally(() => store.close()));
      context.progress.step(`PostgreSQL, one worker ${i + 1}/${context.samples}`);
      one.push(await onPostgres(topology, 1, envelopes));
      context.progress.step(`PostgreSQL, two workers ${i + 1}/${context.samples}`);
      two.push(await onPostgres(topology, 2, envelopes));
    }
    return {
      method:
        `${events.toLocaleString("en-US")} events of the mix (${MIX_DESCRIPTION}) in envelopes of ${BATCH} ` +
        `from ${SITES} gateways, one per copy of the mall site, through the ingest's message handler into a ` +
        "new store: SQLite (each commit on disk before its ack), then PostgreSQL with one worker, then two. A worker is a " +
        "PostgreSQL store with its own connection pool and handler, taking the next envelope from one queue " +
        "as a shared subscription hands them out, one at a time. Both workers run in the benchmark's " +
        "process, so they share one core for JSON, validation and matching while PostgreSQL works on the " +
        `others. PostgreSQL: ${PG_URL.replace(/\/\/[^@]*@/, "//")}, a fresh schema per sample, default settings ` +
        "(fsync on, synchronous_commit on).",
      metrics: [
        { id: "ingest-pg.sqlite", label: "SQLite, one ingest", unit: "events/s", samples: sqlite },
        { id: "ingest-pg.one", label: "PostgreSQL, one worker", unit: "events/s", samples: one },
        { id: "ingest-pg.two", label: "PostgreSQL, two workers", unit: "events/s", samples: two },
        {
          id: "ingest-pg.one-ratio",
          label: "PostgreSQL one worker ÷ SQLite",
          unit: "×",
          samples: ratioSamples(one, sqlite),
        },
        {
          id: "ingest-pg.two-ratio",
          label: "PostgreSQL two workers ÷ SQLite",
          unit: "×",
          samples: ratioSamples(two, sqlite),
        },
        {
          id: "ingest-pg.scale",
          label: "two workers ÷ one worker",
          unit: "×",
          samples: ratioSamples(two, one),
        },
      ],
    };
  },
};

const gateways = () => Array.from({ length: SITES }, (_, i) => `gw-${i + 1}`);
const siteOf = (gateway: string) => `${MALL_SITE}-${gateway.slice(3)}`;

/** The mall, once per gateway, as sites `bench-mall-1` … */
function sitesTopology(): object {
  const [mall] = (mallTopology() as { sites: object[] }).sites;
  return { sites: gateways().map((gateway) => ({ ...mall, id: siteOf(gateway) })) };
}

/** Each gateway's envelopes moved to its own site. */
function spreadOverSites(envelopes: WireEnvelope[]): WireEnvelope[] {
  return envelopes.map((envelope) => {
    const site = siteOf(envelope.gateway);
    const events = envelope.events.map((event) => ({ ...event, site }));
    return {
      ...envelope,
      topic: buildTopic(site, envelope.gateway, "events"),
      events,
      eventsJson: JSON.stringify(events),
    };
  });
}

async function onPostgres(
  topology: TopologyIndex,
  workers: number,
  envelopes: WireEnvelope[],
): Promise<number> {
  const url = `${PG_URL}${PG_URL.includes("?") ? "&" : "?"}schema=lw_bench_${process.pid}_${Date.now()}`;
  const stores: Store[] = [];
  try {
    for (let i = 0; i < workers; i++) {
      stores.push(await createPostgresStore({ url, topology, logger: createSilentLogger(), poolSize: 2 }));
    }
    return await timed(envelopes, stores);
  } finally {
    for (const store of stores) await store.close();
    await dropSchema(url);
  }
}

/**
 * Events per second of wall time for `stores.length` workers draining one queue of envelopes,
 * each handling one message at a time (as the external consumer does).
 */
async function timed(envelopes: readonly WireEnvelope[], stores: readonly Store[]): Promise<number> {
  const clock = newSenderClock();
  const handlers: MessageHandler[] = stores.map((store) =>
    createMessageHandler({ store, logger: createSilentLogger() }),
  );
  let next = 0;
  let events = 0;
  const started = performance.now();
  await Promise.all(
    handlers.map(async (handler) => {
      while (next < envelopes.length) {
        const envelope = envelopes[next++] as WireEnvelope;
        const result = await handler.handleMessage(envelope.topic, encodeEnvelope(envelope, clock));
        if (result.kind !== "events" || result.rejected > 0) {
          throw new Error(
            `the ingest refused a benchmark envelope (${result.kind}, ${result.rejected} rejected)`,
          );
        }
        events += result.inserted;
      }
    }),
  );
  return events / ((performance.now() - started) / 1000);
}
