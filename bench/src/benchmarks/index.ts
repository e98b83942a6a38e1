import type { Benchmark } from "../harness/types.js";
import { agentAccept } from "./agent-accept.js";
import { agentMemory } from "./agent-memory.js";
import { backlogDrain } from "./backlog-drain.js";
import { brokerBaselines } from "./broker-baselines.js";
import { countAt } from "./count-at.js";
import { endToEndLatency } from "./end-to-end-latency.js";
import { ingestPostgres } from "./ingest-postgres.js";
import { ingestRate } from "./ingest-rate.js";
import { restCounts } from "./rest-counts.js";

/** Every benchmark, in the order they run: baselines that others divide by come first. */
export const BENCHMARKS: readonly Benchmark[] = [
  agentAccept,
  ingestRate,
  ingestPostgres,
  brokerBaselines,
  backlogDrain,
  agentMemory,
  endToEndLatency,
  countAt,
  restCounts,
];
