import { createSilentLogger } from "@lotwatch/cloud-ingest/logging/create-logger.js";
import { createSqliteStore } from "@lotwatch/cloud-ingest/store/sqlite/sqlite-store.js";
import { loadTopology } from "@lotwatch/cloud-ingest/topology/load-topology.js";
import { createTopologyIndex } from "@lotwatch/cloud-ingest/topology/topology-index.js";
import type { CountDatabase } from "../count-db/count-database.js";
import {
  type CountQuery,
  countQueries,
  serveCountDatabase,
  sharedCountDatabase,
} from "../count-db/shared-count-database.js";
import { createRandom } from "../fixtures/prng.js";
import { timeSequentialGets } from "../harness/http-timing.js";
import { createLatencyRecorder, type LatencyRecorder, nowMicros } from "../harness/latency.js";
import { atMost } from "../harness/metrics.js";
import type { Benchmark, MetricInput, Mode } from "../harness/types.js";
import { formatCompact, formatNumber } from "../report/format.js";

const sizesFor = (mode: Mode) =>
  mode === "quick" ? [10_000, 100_000, 1_000_000] : [10_000, 100_000, 1_000_000, 10_000_000];
const TARGET_SIZE = 10_000_000;
/**
 * Unmeasured queries after the server starts: the JIT settles and the B-tree pages the seeks
 * touch come into the caches, as in an ingest that has been running. Their p99 is reported apart.
 */
const WARMUP_QUERIES = 2_000;

export const countAt: Benchmark = {
  name: "count-at",
  title: "count?at= latency against events stored",
  steps: (mode, samples) => sizesFor(mode).length * (1 + samples),
  async run(context) {
    const sizes = sizesFor(context.mode);
    const queries = context.mode === "quick" ? 1_000 : 2_000;
    const database = await sharedCountDatabase(context);
    const random = createRandom(51);
    const rest50 = new Map<number, number[]>();
    const rest99 = new Map<number, number[]>();
    const seek99 = new Map<number, number[]>();
    const buildSeconds: string[] = [];
    const coldP99: string[] = [];
    for (const size of sizes) {
      context.progress.step(`building ${formatCompact(size)} events`);
      const started = nowMicros();
      database.growTo(size);
      buildSeconds.push(`${formatCompact(size)} in ${Math.round((nowMicros() - started) / 1e5) / 10} s`);
      const server = await serveCountDatabase(database);
      try {
        const warmup = countQueries(database, WARMUP_QUERIES, random.next);
        const cold = await timeSequentialGets(
          server.httpUrl,
          warmup.map((query) => query.path),
        );
        coldP99.push(`${formatCompact(size)}: ${formatNumber(cold.percentileMs(99))} ms`);
        await timeStoreSeeks(database, warmup);
        for (let i = 0; i < context.samples; i++) {
          context.progress.step(`${formatCompact(size)} events, round ${i + 1}/${context.samples}`);
          const asked = countQueries(database, queries, random.next);
          const rest = await timeSequentialGets(
            server.httpUrl,
            asked.map((query) => query.path),
          );
          push(rest50, size, rest.percentileMs(50));
          push(rest99, size, rest.percentileMs(99));
          push(seek99, size, (await timeStoreSeeks(database, asked)).percentileMs(99));
        }
      } finally {
        await server.close();
      }
    }
    const metrics: MetricInput[] = [];
    for (const size of sizes.slice(-2)) {
      const target = size === TARGET_SIZE ? atMost(5) : undefined;
      const label = `${formatCompact(size)} events`;
      metrics.push(
        {
          id: `count.at.p50.${size}`,
          label: `REST p50, ${label}`,
          unit: "ms",
          samples: rest50.get(size) ?? [],
        },
        {
          id: `count.at.p99.${size}`,
          label: `REST p99, ${label}`,
          unit: "ms",
          samples: rest99.get(size) ?? [],
          target,
        },
        {
          id: `count.at.seek.p99.${size}`,
          label: `store seek p99, ${label}`,
          unit: "ms",
          samples: seek99.get(size) ?? [],
        },
      );
    }
    const series = (name: string, values: Map<number, number[]>) => ({
      name,
      points: sizes.map((size) => ({ x: size, samples: values.get(size) ?? [] })),
    });
    return {
      method:
        `One site (a four-floor building, 21 people counters, each crossing moves two spaces' counts), ` +
        "its events stored by bulk SQL that writes exactly the rows the store's own `insertBatch` " +
        "writes for the same crossings (a test compares the two on 3,000 events); the database grows " +
        `through ${sizes.map(formatCompact).join(", ")} events, and at each size a real ingest ` +
        "(`startIngest` in this process) answers " +
        `${queries.toLocaleString("en-US")} \`GET …/spaces/{space}/count?at=\` per round, one after ` +
        "another over one keep-alive connection, for random spaces and times, after " +
        `${WARMUP_QUERIES.toLocaleString("en-US")} unmeasured ones. The store seek is the same queries ` +
        "through `store.countAt()` alone.",
      metrics,
      curves: [
        {
          id: "count-at-vs-events",
          title: "count?at= latency against events stored",
          xLabel: "events in the site",
          yLabel: "ms",
          logX: true,
          series: [series("REST p50", rest50), series("REST p99", rest99), series("store seek p99", seek99)],
        },
      ],
      notes: [
        `Database built (bulk SQL): ${buildSeconds.join(", ")}.`,
        `Before the rounds, ${WARMUP_QUERIES.toLocaleString("en-US")} unmeasured queries warm the ` +
          `server up; their REST p99 (JIT and caches cold, just after start): ${coldP99.join(", ")}.`,
      ],
    };
  },
};

function push(map: Map<number, number[]>, key: number, value: number): void {
  map.set(key, [...(map.get(key) ?? []), value]);
}

async function timeStoreSeeks(
  database: CountDatabase,
  queries: readonly CountQuery[],
): Promise<LatencyRecorder> {
  const topology = createTopologyIndex(loadTopology(database.topologyPath));
  const store = createSqliteStore({ path: database.path, topology, logger: createSilentLogger() });
  const latencies = createLatencyRecorder();
  try {
    for (const query of queries) {
      const started = nowMicros();
      await store.countAt(database.site, query.space, query.atMs);
      latencies.record(nowMicros() - started);
    }
    return latencies;
  } finally {
    await store.close();
  }
}
