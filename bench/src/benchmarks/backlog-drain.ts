import { randomUUID } from "node:crypto";
import { copyFileSync } from "node:fs";
import { join } from "node:path";
import { createEventBuffer } from "@lotwatch/edge-agent/buffer/event-buffer.js";
import { createSilentLogger } from "@lotwatch/edge-agent/common/logger.js";
import { BrokerSectionSchema, ForwardSectionSchema } from "@lotwatch/edge-agent/config/schema.js";
import { createForwarder } from "@lotwatch/edge-agent/forward/forwarder.js";
import { LotwatchError } from "@lotwatch/protocol/errors.js";
import { MOSQUITTO_URL } from "../baselines/mosquitto-passthrough.js";
import { connectClient, endClient } from "../baselines/mqtt-clients.js";
import { buildBacklog } from "../fixtures/backlog.js";
import { MALL_SITE, writeMallTopology } from "../fixtures/mall-topology.js";
import { MIX_DESCRIPTION } from "../fixtures/reading-mix.js";
import { elapsedSeconds, nowMicros } from "../harness/latency.js";
import { atLeast } from "../harness/metrics.js";
import type { BenchContext, Benchmark, MetricInput, Mode } from "../harness/types.js";
import { startIngestProcess, storedEvents } from "../processes/ingest-process.js";

const GATEWAY = "gw-drain";
const DRAIN_TIMEOUT_MS = 10 * 60_000;

/** A full drain of a million readings takes a minute or more: two of them are enough. */
function drainSamples(mode: Mode, samples: number): number {
  return mode === "full" ? Math.min(2, samples) : samples;
}

export const backlogDrain: Benchmark = {
  name: "backlog-drain",
  title: "Agent backlog drain rate",
  steps: (mode, samples) => 1 + drainSamples(mode, samples) * 2,
  async run(context) {
    const count = context.mode === "quick" ? 100_000 : 1_000_000;
    const samples = drainSamples(context.mode, context.samples);
    const template = join(context.workDir, "backlog.db");
    context.progress.step(`building a ${count.toLocaleString("en-US")}-reading backlog`);
    await buildBacklog(template, GATEWAY, count);
    const topologyPath = writeMallTopology(join(context.workDir, "topology.json"));
    const forward = ForwardSectionSchema.parse({});

    const toIngest: number[] = [];
    const toMosquitto: number[] = [];
    let mosquittoDown: string | null = null;
    for (let i = 0; i < samples; i++) {
      context.progress.step(`drain to a real ingest ${i + 1}/${samples}`);
      const ingest = await startIngestProcess({ dir: context.workDir, topologyPath });
      try {
        toIngest.push(await drain(context, template, ingest.ready.mqttUrl, count, i));
        const stored = await storedEvents(ingest.ready.httpUrl, GATEWAY);
        if (stored !== count) {
          throw new LotwatchError("drain_incomplete", `the ingest stored ${stored} of ${count} events`);
        }
      } finally {
        await ingest.stop();
      }
      context.progress.step(`drain to Mosquitto ${i + 1}/${samples}`);
      if (mosquittoDown !== null) continue;
      try {
        await endClient(await connectClient(MOSQUITTO_URL, 2000));
        toMosquitto.push(await drain(context, template, MOSQUITTO_URL, count, i));
      } catch (error) {
        mosquittoDown = (error as Error).message;
      }
    }

    const metrics: MetricInput[] = [
      {
        id: "drain.rate",
        label: `drain of ${count.toLocaleString("en-US")} readings to a real ingest`,
        unit: "events/s",
        samples: toIngest,
        target: atLeast(50_000),
      },
    ];
    const notes: string[] = [];
    if (toMosquitto.length > 0) {
      metrics.push({
        id: "drain.mosquitto",
        label: "same drain to Mosquitto (acks on receipt, stores nothing): the agent's own limit",
        unit: "events/s",
        samples: toMosquitto,
      });
    } else {
      notes.push(`Mosquitto is not reachable at ${MOSQUITTO_URL} (${mosquittoDown}): no agent-only drain.`);
    }
    const ratio = (id: string, over: string, label: string) => {
      const baseline = context.earlier(over);
      if (baseline === undefined) {
        notes.push(`No ${label}: \`${over}\` was not measured in this run (run broker-baselines too).`);
        return;
      }
      metrics.push({
        id,
        label,
        unit: "×",
        samples: toIngest.map((rate) => rate / baseline.summary.median),
      });
    };
    ratio("drain.vs-mosquitto", "broker.mosquitto.rate", "drain rate ÷ Mosquitto pass-through");
    ratio("drain.vs-naive", "broker.naive.rate", "drain rate ÷ naive design (what batching gains)");
    return {
      method:
        `A buffer file with ${count.toLocaleString("en-US")} readings of the mix (${MIX_DESCRIPTION}), ` +
        "built once through `accept` and copied for each sample, is opened by a new " +
        "`createEventBuffer` and drained by the agent's `createForwarder` (defaults: " +
        `${forward.batchMaxEvents} events or ${Math.round(forward.batchMaxBytes / 1024)} KiB per envelope, ` +
        `${forward.maxInFlight} in flight, rows deleted on PUBACK) into the embedded broker of a real ` +
        "`lotwatch-ingest` process, which commits each envelope before its PUBACK. The clock runs from " +
        "`start()` to an empty buffer; afterwards the ingest must report every event stored.",
      metrics,
      notes,
    };
  },
};

async function drain(
  context: BenchContext,
  template: string,
  brokerUrl: string,
  count: number,
  sample: number,
): Promise<number> {
  const path = join(context.workDir, `drain-${sample}-${randomUUID().slice(0, 8)}.db`);
  copyFileSync(template, path);
  const logger = createSilentLogger();
  const bootId = randomUUID();
  const buffer = createEventBuffer({ path, gatewayId: GATEWAY, site: MALL_SITE, bootId, logger });
  const forwarder = createForwarder({
    gateway: { id: GATEWAY, site: MALL_SITE },
    broker: BrokerSectionSchema.parse({ url: brokerUrl }),
    forward: ForwardSectionSchema.parse({}),
    buffer,
    bootId,
    version: "bench",
    logger,
  });
  try {
    if (buffer.depth() !== count) {
      throw new LotwatchError("bad_backlog", `the backlog holds ${buffer.depth()} readings, not ${count}`);
    }
    const started = nowMicros();
    forwarder.start();
    while (buffer.depth() > 0) {
      if (elapsedSeconds(started) * 1000 > DRAIN_TIMEOUT_MS) {
        throw new LotwatchError(
          "drain_timeout",
          `${buffer.depth()} readings still buffered after 10 minutes`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return count / elapsedSeconds(started);
  } finally {
    await forwarder.stop(2000);
    buffer.close();
  }
}
