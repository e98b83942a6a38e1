import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { InputObserver, MalformedReason } from "../inputs/input.js";

const PREFIX = "lotwatch_agent_";

/** Live values the scrape reads from the pipeline rather than from counters. */
export interface MetricSources {
  depth(): number;
  oldestPendingAt(): string | null;
  connected(): boolean;
}

export interface AgentTotals {
  accepted: number;
  malformed: number;
}

export interface AgentMetrics {
  readonly registry: Registry;
  readingsAccepted(input: string, count: number): void;
  acceptFailed(input: string, count: number): void;
  batchAcked(events: number, latencySeconds: number): void;
  observerFor(input: string): InputObserver;
  totals(): AgentTotals;
}

export interface AgentMetricsOptions {
  sources: MetricSources;
  /** Also export process metrics (CPU, memory, event loop lag); default true. */
  processMetrics?: boolean;
  now?: () => number;
}

/** The agent's Prometheus metrics in a registry of its own, prefixed `lotwatch_agent_`. */
export function createAgentMetrics(options: AgentMetricsOptions): AgentMetrics {
  const registry = new Registry();
  const now = options.now ?? Date.now;
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: PREFIX });

  const accepted = new Counter({
    name: `${PREFIX}readings_accepted_total`,
    help: "Readings committed to the buffer, by input.",
    labelNames: ["input"],
    registers: [registry],
  });
  const acceptFailures = new Counter({
    name: `${PREFIX}readings_lost_total`,
    help: "Readings an input delivered that could not be committed (disk full, buffer closed), by input.",
    labelNames: ["input"],
    registers: [registry],
  });
  const malformed = new Counter({
    name: `${PREFIX}malformed_lines_total`,
    help: "Lines or frames skipped as malformed, by input and reason.",
    labelNames: ["input", "reason"],
    registers: [registry],
  });
  const inputUp = new Gauge({
    name: `${PREFIX}input_up`,
    help: "1 while the input's source (port, connection) is open.",
    labelNames: ["input"],
    registers: [registry],
  });
  const outages = new Counter({
    name: `${PREFIX}input_outages_total`,
    help: "Outages of an input's source: it vanished or could not be opened (counted once until it is back).",
    labelNames: ["input"],
    registers: [registry],
  });
  const batchesAcked = new Counter({
    name: `${PREFIX}batches_acked_total`,
    help: "Envelopes the broker acknowledged (PUBACK).",
    registers: [registry],
  });
  const eventsAcked = new Counter({
    name: `${PREFIX}events_acked_total`,
    help: "Events in acknowledged envelopes.",
    registers: [registry],
  });
  const publishLatency = new Histogram({
    name: `${PREFIX}publish_latency_seconds`,
    help: "Time from publishing an envelope to its PUBACK.",
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  new Gauge({
    name: `${PREFIX}buffer_depth`,
    help: "Events in the buffer not yet acknowledged by the broker.",
    registers: [registry],
    collect() {
      this.set(options.sources.depth());
    },
  });
  new Gauge({
    name: `${PREFIX}oldest_pending_age_seconds`,
    help: "Age of the oldest unacknowledged event (since it was accepted); 0 when the buffer is empty.",
    registers: [registry],
    collect() {
      const oldest = options.sources.oldestPendingAt();
      this.set(oldest === null ? 0 : Math.max(0, (now() - Date.parse(oldest)) / 1000));
    },
  });
  new Gauge({
    name: `${PREFIX}connected`,
    help: "1 while connected to the MQTT broker.",
    registers: [registry],
    collect() {
      this.set(options.sources.connected() ? 1 : 0);
    },
  });

  const totals: AgentTotals = { accepted: 0, malformed: 0 };
  return {
    registry,
    readingsAccepted(input, count) {
      accepted.inc({ input }, count);
      totals.accepted += count;
    },
    acceptFailed(input, count) {
      acceptFailures.inc({ input }, count);
    },
    batchAcked(events, latencySeconds) {
      batchesAcked.inc();
      eventsAcked.inc(events);
      publishLatency.observe(latencySeconds);
    },
    observerFor(input) {
      accepted.inc({ input }, 0);
      inputUp.set({ input }, 0);
      return {
        malformed(reason: MalformedReason) {
          malformed.inc({ input, reason });
          totals.malformed++;
        },
        connected(up) {
          inputUp.set({ input }, up ? 1 : 0);
        },
        outage() {
          outages.inc({ input });
        },
      };
    },
    totals: () => ({ ...totals }),
  };
}
