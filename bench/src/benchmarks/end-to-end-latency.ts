import { join } from "node:path";
import { LotwatchError } from "@lotwatch/protocol/errors.js";
import { EVENTS_SUBSCRIPTION } from "@lotwatch/protocol/topics.js";
import { connectClient, endClient, subscribe } from "../baselines/mqtt-clients.js";
import { MALL_SITE, writeMallTopology } from "../fixtures/mall-topology.js";
import { MIX_DESCRIPTION, readingMix } from "../fixtures/reading-mix.js";
import { createLatencyRecorder, nowMicros } from "../harness/latency.js";
import { atMost } from "../harness/metrics.js";
import type { BenchContext, Benchmark } from "../harness/types.js";
import { agentStatus, startAgentProcess } from "../processes/agent-process.js";
import { startIngestProcess } from "../processes/ingest-process.js";
import { type LineFeeder, startLineFeeder } from "../processes/line-feeder.js";

const RATE = 2_000;
/**
 * Paced like the measured part, then drained, and left out: the processes' first envelopes pay for
 * JIT compilation and cold caches, which would otherwise queue up the first seconds.
 */
const WARMUP_SECONDS = 2;
const SETTLE_MS = 15_000;

interface Round {
  p50: number;
  p99: number;
  max: number;
  measured: number;
  rate: number;
  perEnvelope: number;
}

export const endToEndLatency: Benchmark = {
  name: "e2e-latency",
  title: "End-to-end latency at 2,000 events/s",
  steps: (_mode, samples) => samples,
  async run(context) {
    const seconds = context.mode === "quick" ? 3 : 10;
    const topologyPath = writeMallTopology(join(context.workDir, "topology.json"));
    const rounds: Round[] = [];
    for (let i = 0; i < context.samples; i++) {
      context.progress.step(`round ${i + 1}/${context.samples}`);
      rounds.push(await runRound(context, topologyPath, seconds, i));
    }
    return {
      method:
        `Real processes: the benchmark writes jsonl lines of the mix (${MIX_DESCRIPTION}) at a fixed ` +
        `${RATE.toLocaleString("en-US")} lines/s for ${seconds} s to the tcp-serial input of a ` +
        "`lotwatch-agent run` process (synchronous=FULL buffer, default forwarder), which forwards to " +
        "the embedded broker of a `lotwatch-ingest` process. A plain subscriber of the ingest's " +
        "broker sees each envelope, which aedes delivers only after the ingest's commit. Latency: line " +
        "written → envelope seen (monotonic clock shared by the processes), per event, the event " +
        `found by its seq. Before that, ${WARMUP_SECONDS} s at the same rate, waited for and left out.`,
      metrics: [
        { id: "e2e.p50", label: "p50 latency", unit: "ms", samples: rounds.map((r) => r.p50) },
        {
          id: "e2e.p99",
          label: "p99 latency",
          unit: "ms",
          samples: rounds.map((r) => r.p99),
          target: atMost(20),
        },
        { id: "e2e.max", label: "max latency", unit: "ms", samples: rounds.map((r) => r.max) },
        { id: "e2e.rate", label: "rate offered", unit: "events/s", samples: rounds.map((r) => r.rate) },
        {
          id: "e2e.per-envelope",
          label: "events per envelope (the forwarder sends what each commit adds)",
          unit: "events",
          samples: rounds.map((r) => r.perEnvelope),
        },
      ],
      notes: [
        `Events measured per round: ${rounds.map((r) => r.measured.toLocaleString("en-US")).join(", ")}.`,
      ],
    };
  },
};

async function runRound(
  context: BenchContext,
  topologyPath: string,
  seconds: number,
  round: number,
): Promise<Round> {
  const warmupEvents = RATE * WARMUP_SECONDS;
  const total = warmupEvents + RATE * seconds;
  const lines = readingMix(total, 81 + round).map((reading) => `${JSON.stringify(reading)}\n`);
  const sentAt = new Float64Array(total);
  const latencies = createLatencyRecorder();
  let seen = 0;
  let measuredEnvelopes = 0;
  const ingest = await startIngestProcess({ dir: context.workDir, topologyPath });
  const feeder = await startLineFeeder();
  const cleanups: Array<() => Promise<void>> = [() => ingest.stop(), () => feeder.close()];
  try {
    const observer = await connectClient(ingest.ready.mqttUrl);
    cleanups.unshift(() => endClient(observer));
    await subscribe(observer, EVENTS_SUBSCRIPTION, 0);
    observer.on("message", (_topic, payload) => {
      const at = nowMicros();
      const envelope = JSON.parse(payload.toString("utf8")) as { events: Array<{ seq: number }> };
      if ((envelope.events[0]?.seq ?? 0) > warmupEvents) measuredEnvelopes++;
      for (const { seq } of envelope.events) {
        const sent = sentAt[seq - 1];
        if (sent === undefined || sent === 0) continue;
        seen++;
        if (seq > warmupEvents) latencies.record(at - sent);
      }
    });
    const agent = await startAgentProcess({
      dir: context.workDir,
      gateway: `gw-e2e-${round}`,
      site: MALL_SITE,
      brokerUrl: ingest.ready.mqttUrl,
      linePort: feeder.port,
    });
    cleanups.unshift(() => agent.stop());
    await feeder.connected();
    await waitFor(async () => (await agentStatus(agent.ready.httpUrl)).connected, "the agent to connect");
    await pace(feeder, lines, sentAt, 0, warmupEvents);
    await waitFor(async () => seen >= warmupEvents, "the warm-up events at the ingest", SETTLE_MS);
    const rate = await pace(feeder, lines, sentAt, warmupEvents, total);
    await waitFor(async () => seen >= total, `all ${total} events at the ingest`, SETTLE_MS);
    return {
      p50: latencies.percentileMs(50),
      p99: latencies.percentileMs(99),
      max: latencies.maxMs(),
      measured: latencies.count(),
      rate,
      perEnvelope: latencies.count() / Math.max(1, measuredEnvelopes),
    };
  } finally {
    for (const cleanup of cleanups) await cleanup();
  }
}

/**
 * Writes lines[from..to) at RATE lines/s, each batch when it is due, noting when each line went
 * out; returns the rate achieved.
 */
async function pace(
  feeder: LineFeeder,
  lines: readonly string[],
  sentAt: Float64Array,
  from: number,
  to: number,
): Promise<number> {
  const started = nowMicros();
  let sent = from;
  while (sent < to) {
    const due = Math.min(to, from + Math.floor(((nowMicros() - started) / 1e6) * RATE));
    if (due > sent) {
      sentAt.fill(nowMicros(), sent, due);
      await feeder.write(lines.slice(sent, due).join(""));
      sent = due;
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  return (to - from) / ((nowMicros() - started) / 1e6);
}

async function waitFor(condition: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new LotwatchError("timeout", `waited ${timeoutMs} ms for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
