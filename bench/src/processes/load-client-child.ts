import autocannon from "autocannon";
import type { LoadOptions, LoadResult } from "./load-client.js";

/** The autocannon side of `runLoad`: options in argv[2], the figures back over IPC. */
const options = JSON.parse(process.argv[2] ?? "{}") as LoadOptions;
const result = await autocannon({
  url: options.url,
  connections: options.connections,
  duration: options.durationSeconds,
  requests: options.paths.map((path) => ({ method: "GET" as const, path })),
});
const figures: LoadResult = {
  requestsPerSecond: result.requests.total / result.duration,
  p50Ms: result.latency.p50,
  p99Ms: result.latency.p99,
  requests: result.requests.total,
  non2xx: result.non2xx,
  errors: result.errors,
};
process.send?.(figures, () => process.exit(0));
