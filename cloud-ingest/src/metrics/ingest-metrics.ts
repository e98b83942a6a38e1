import type { LotwatchEvent } from "@lotwatch/protocol/events.js";
import { Counter, Histogram, Registry } from "prom-client";
import { REFUSAL_REASONS } from "../broker/refusals.js";
import type { NegativeCount } from "../counts/clamp.js";
import type { InsertResult, RejectionInput, Store } from "../store/store.js";
import { REJECTION_CLASSES, rejectionClass } from "./rejection-class.js";
import { registerStoreGauges } from "./store-gauges.js";

export const METRIC_PREFIX = "lotwatch_ingest_";

export interface IngestMetricsOptions {
  /** Same as calling `readFrom(store)`. */
  store?: Store;
  now?: () => number;
}

export interface IngestMetrics {
  /** Its own registry, so several ingests (or tests) in one process do not collide. */
  registry: Registry;
  /** After a batch was committed in `commitSeconds`. */
  observeBatch(events: readonly LotwatchEvent[], result: InsertResult, commitSeconds: number): void;
  /** Rejections stored without a batch (whole messages). */
  observeRejections(rejections: readonly RejectionInput[]): void;
  /** A commit that threw: nothing was stored and the sender will resend. */
  observeCommitFailure(): void;
  /** The broker refused a connection, publish, subscription or packet. */
  observeRefusal(reason: string): void;
  /** A commit took a space's count below zero (answers clamp it). The store's onNegativeCount hook. */
  observeNegativeCount(negative: NegativeCount): void;
  /** Reads the per-gateway and per-session gauges from `store` at scrape time (once per registry). */
  readFrom(store: Store): void;
}

/** Seconds; from "just now" through a gateway that was offline for a day. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600, 86400];
const COMMIT_BUCKETS = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** The ingest's Prometheus metrics, `lotwatch_ingest_*`, served at `GET /metrics`. */
export function createIngestMetrics(options: IngestMetricsOptions = {}): IngestMetrics {
  const now = options.now ?? Date.now;
  const registry = new Registry();
  const registers = [registry];
  const name = (suffix: string) => `${METRIC_PREFIX}${suffix}`;

  const events = new Counter({
    name: name("events_total"),
    help: "Events stored for the first time",
    registers,
  });
  const duplicates = new Counter({
    name: name("duplicates_total"),
    help: "Events received again, by (gateway, seq): counted, changed nothing",
    registers,
  });
  const unknownSource = new Counter({
    name: name("unknown_source_total"),
    help: "Stored events whose site, lane, door or slot the topology does not know",
    registers,
  });
  const rejected = new Counter({
    name: name("rejected_total"),
    help: "Messages or events refused and stored as rejections, by class of reason (GET /v1/rejected lists them)",
    labelNames: ["class"],
    registers,
  });
  const commitFailures = new Counter({
    name: name("commit_failures_total"),
    help: "Commits that failed: nothing stored, no ack sent, the sender resends",
    registers,
  });
  const refusals = new Counter({
    name: name("broker_refusals_total"),
    help: "Connections, publishes, subscriptions and oversized packets the broker refused, by reason",
    labelNames: ["reason"],
    registers,
  });
  const latency = new Histogram({
    name: name("event_latency_seconds"),
    help: "End-to-end latency from an event's occurredAt to its commit (batches without duplicates only)",
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const commitDuration = new Histogram({
    name: name("commit_duration_seconds"),
    help: "Time to commit one batch (events, counts, sessions, outbox) to the store",
    buckets: COMMIT_BUCKETS,
    registers,
  });
  const negativeCounts = new Counter({
    name: name("negative_counts_total"),
    help: "Commits that took a space's count below zero (more exits than entries; answers clamp to 0)",
    labelNames: ["site", "space"],
    registers,
  });
  // Every label value starts at 0, so rate() and alerts see a series before the first event.
  for (const reason of REFUSAL_REASONS) refusals.inc({ reason }, 0);
  for (const kind of REJECTION_CLASSES) rejected.inc({ class: kind }, 0);
  let gaugesRegistered = false;
  const readFrom = (store: Store) => {
    if (gaugesRegistered) throw new Error("the store gauges are already registered");
    gaugesRegistered = true;
    registerStoreGauges({ store, registry, prefix: METRIC_PREFIX });
  };
  if (options.store !== undefined) readFrom(options.store);

  return {
    registry,
    readFrom,
    observeBatch(batch, result, commitSeconds) {
      commitDuration.observe(commitSeconds);
      events.inc(result.inserted);
      duplicates.inc(result.duplicates);
      unknownSource.inc(result.unknownSource);
      // A resent batch holds events first committed earlier; their latency was already observed.
      if (result.duplicates > 0) return;
      const committedAt = now();
      for (const event of batch) {
        const seconds = (committedAt - Date.parse(event.occurredAt)) / 1000;
        // A gateway clock running ahead would give negative latencies; they count as zero.
        latency.observe(Math.max(0, seconds));
      }
    },
    observeRejections(rejections) {
      for (const rejection of rejections) rejected.inc({ class: rejectionClass(rejection) });
    },
    observeCommitFailure() {
      commitFailures.inc();
    },
    observeRefusal(reason) {
      refusals.inc({ reason });
    },
    observeNegativeCount({ site, space }) {
      negativeCounts.inc({ site, space });
    },
  };
}
