import { LotwatchError } from "@lotwatch/protocol/errors.js";
import { countQueries, serveCountDatabase, sharedCountDatabase } from "../count-db/shared-count-database.js";
import { createRandom } from "../fixtures/prng.js";
import type { Benchmark, MetricInput } from "../harness/types.js";
import { type LoadResult, runLoad } from "../processes/load-client.js";
import { formatCompact } from "../report/format.js";

const CONNECTIONS = 16;

export const restCounts: Benchmark = {
  name: "rest-counts",
  title: "REST counts endpoint under concurrent clients",
  steps: (_mode, samples) => 1 + samples * 2,
  async run(context) {
    const seconds = context.mode === "quick" ? 1 : 3;
    const database = await sharedCountDatabase(context);
    context.progress.step("count database");
    database.growTo(context.mode === "quick" ? 100_000 : 1_000_000);
    const random = createRandom(61);
    const nowPaths = database.spaces.map((space) => `/v1/sites/${database.site}/spaces/${space}/count`);
    const atPaths = countQueries(database, 500, random.next).map((query) => query.path);
    const now: LoadResult[] = [];
    const at: LoadResult[] = [];
    const server = await serveCountDatabase(database);
    try {
      for (let i = 0; i < context.samples; i++) {
        context.progress.step(`count now, round ${i + 1}/${context.samples}`);
        now.push(
          checked(
            await runLoad({
              url: server.httpUrl,
              paths: nowPaths,
              connections: CONNECTIONS,
              durationSeconds: seconds,
            }),
          ),
        );
        context.progress.step(`count?at=, round ${i + 1}/${context.samples}`);
        at.push(
          checked(
            await runLoad({
              url: server.httpUrl,
              paths: atPaths,
              connections: CONNECTIONS,
              durationSeconds: seconds,
            }),
          ),
        );
      }
    } finally {
      await server.close();
    }
    const figures = (id: string, label: string, results: LoadResult[]): MetricInput[] => [
      {
        id: `${id}.rps`,
        label: `${label}: requests/s`,
        unit: "req/s",
        samples: results.map((r) => r.requestsPerSecond),
      },
      { id: `${id}.p99`, label: `${label}: p99 latency`, unit: "ms", samples: results.map((r) => r.p99Ms) },
    ];
    return {
      method:
        `autocannon, in a child process, with ${CONNECTIONS} keep-alive connections for ${seconds} s per ` +
        "round against a real ingest (`startIngest` in the benchmark process) serving the count " +
        `database (${formatCompact(database.events())} events, see count?at=): \`GET …/spaces/{space}/count\` ` +
        `cycling through the site's ${database.spaces.length} spaces, and \`…/count?at=\` cycling ` +
        "through 500 random times. Every answer must be a 200.",
      metrics: [...figures("rest.now", "count now", now), ...figures("rest.at", "count?at=", at)],
    };
  },
};

function checked(result: LoadResult): LoadResult {
  if (result.non2xx > 0 || result.errors > 0) {
    throw new LotwatchError(
      "bad_answers",
      `${result.non2xx} non-2xx answers and ${result.errors} errors in ${result.requests} requests`,
    );
  }
  return result;
}
