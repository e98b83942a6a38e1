import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { InputObserver, MalformedReason, PollResult } from "../inputs/input.js";

const PREFIX = "lotwatch_agent_";

/** Live values the scrape reads from the pipeline rather than from counters. */
export interface MetricSources {
  depth(): number;
  oldestPendingAt(): string | null;
  connected(): boolean;
  /** The buffer file's size in bytes. */
  bufferBytes(): number;
  /** True while the buffer refuses readings for want of disk space. */
  diskFull(): boolean;
  /** SQLITE_FULL answers since start. */
  diskFullEvents(): number;
  /** The clock detector's answer: true, false, or undefined when it cannot tell. */
  clockSynced(): boolean | undefined;
}

/** Why readings handed over by an input were not committed. */
export type RefusalReason = "disk-full" | "closed" | "write-failed";

export interface AgentTotals {
  accepted: number;
  malformed: number;
}

export interface AgentMetrics {
  readonly registry: Registry;
  readingsAccepted(input: string, count: number): void;
  acceptFailed(input: string, count: number, reason: RefusalReason): void;
  readingsDropped(reason: string, count: number): void;
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
    name: `${PREFIX}readings_refused_total`,
    help: "Readings an input handed over that could not be committed, by input and reason (disk-full, closed, write-failed).",
    labelNames: ["input", "reason"],
    registers: [registry],
  });
  const dropped = new Counter({
    name: `${PREFIX}readings_dropped_total`,
    help: "Committed readings the cap policy dropped (reported by gateway.gap events), by reason.",
    labelNames: ["reason"],
    registers: [registry],
  });
  for (const reason of ["buffer-cap-bytes", "buffer-cap-age", "disk-full"]) dropped.inc({ reason }, 0);
  const sources = options.sources;
  new Counter({
    name: `${PREFIX}disk_full_total`,
    help: "Commits SQLite answered with SQLITE_FULL (disk full), whether or not dropping old readings made room.",
    registers: [registry],
    collect() {
      this.reset();
      this.inc(sources.diskFullEvents());
    },
  });
  new Gauge({
    name: `${PREFIX}buffer_disk_full`,
    help: "1 while readings are refused: the disk is full and no reading is left to drop.",
    registers: [registry],
    collect() {
      this.set(sources.diskFull() ? 1 : 0);
    },
  });
  new Gauge({
    name: `${PREFIX}buffer_bytes`,
    help: "Size of the buffer file (page_count x page_size), the figure buffer.maxBytes caps.",
    registers: [registry],
    collect() {
      this.set(sources.bufferBytes());
    },
  });
  new Gauge({
    name: `${PREFIX}clock_synced`,
    help: "1 when the system clock is known to be synchronized, 0 when known not to be, -1 when unknown.",
    registers: [registry],
    collect() {
      const synced = sources.clockSynced();
      this.set(synced === undefined ? -1 : synced ? 1 : 0);
    },
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
  const reconnects = new Counter({
    name: `${PREFIX}input_reconnects_total`,
    help: "Times an input's source opened again after it had been open before (reopened port, new connection).",
    labelNames: ["input"],
    registers: [registry],
  });
  const lastReadingAt = new Map<string, number>();
  new Gauge({
    name: `${PREFIX}input_last_reading_age_seconds`,
    help: "Seconds since the input's last committed reading; -1 before its first since the agent started.",
    labelNames: ["input"],
    registers: [registry],
    collect() {
      for (const [input, at] of lastReadingAt) {
        this.set({ input }, at < 0 ? -1 : Math.max(0, (now() - at) / 1000));
      }
    },
  });
  const sensorPolls = new Counter({
    name: `${PREFIX}sensor_polls_total`,
    help: "Polls of a device on a bus (a Modbus unit), by input, sensor and result (ok, timeout, crc, exception, frame).",
    labelNames: ["input", "sensor", "result"],
    registers: [registry],
  });
  const sensorOnline = new Gauge({
    name: `${PREFIX}sensor_online`,
    help: "1 while a polled device answers, 0 once it has been silent for the configured number of polls.",
    labelNames: ["input", "sensor"],
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
      this.set(sources.depth());
    },
  });
  new Gauge({
    name: `${PREFIX}oldest_pending_age_seconds`,
    help: "Age of the oldest unacknowledged event (since it was accepted); 0 when the buffer is empty.",
    registers: [registry],
    collect() {
      const oldest = sources.oldestPendingAt();
      this.set(oldest === null ? 0 : Math.max(0, (now() - Date.parse(oldest)) / 1000));
    },
  });
  new Gauge({
    name: `${PREFIX}connected`,
    help: "1 while connected to the MQTT broker.",
    registers: [registry],
    collect() {
      this.set(sources.connected() ? 1 : 0);
    },
  });

  const totals: AgentTotals = { accepted: 0, malformed: 0 };
  return {
    registry,
    readingsAccepted(input, count) {
      accepted.inc({ input }, count);
      lastReadingAt.set(input, now());
      totals.accepted += count;
    },
    acceptFailed(input, count, reason) {
      acceptFailures.inc({ input, reason }, count);
    },
    readingsDropped(reason, count) {
      dropped.inc({ reason }, count);
    },
    batchAcked(events, latencySeconds) {
      batchesAcked.inc();
      eventsAcked.inc(events);
      publishLatency.observe(latencySeconds);
    },
    observerFor(input) {
      accepted.inc({ input }, 0);
      inputUp.set({ input }, 0);
      reconnects.inc({ input }, 0);
      outages.inc({ input }, 0);
      if (!lastReadingAt.has(input)) lastReadingAt.set(input, -1);
      let opened = false;
      return {
        malformed(reason: MalformedReason) {
          malformed.inc({ input, reason });
          totals.malformed++;
        },
        connected(up) {
          inputUp.set({ input }, up ? 1 : 0);
          if (up && opened) reconnects.inc({ input });
          if (up) opened = true;
        },
        outage() {
          outages.inc({ input });
        },
        sensorPolled(sensor: string, result: PollResult) {
          sensorPolls.inc({ input, sensor, result });
        },
        sensorOnline(sensor: string, online: boolean) {
          sensorOnline.set({ input, sensor }, online ? 1 : 0);
        },
      };
    },
    totals: () => ({ ...totals }),
  };
}
