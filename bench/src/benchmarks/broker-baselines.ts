import { join } from "node:path";
import { buildTopic } from "@lotwatch/protocol/topics.js";
import { MOSQUITTO_URL, mosquittoPassThrough } from "../baselines/mosquitto-passthrough.js";
import { connectClient, endClient, publishWindowed } from "../baselines/mqtt-clients.js";
import { MALL_SITE, writeMallTopology } from "../fixtures/mall-topology.js";
import { MIX_DESCRIPTION, readingMix } from "../fixtures/reading-mix.js";
import { encodeEnvelope, newSenderClock, toEnvelopes, type WireEnvelope } from "../fixtures/wire-events.js";
import { elapsedSeconds, nowMicros } from "../harness/latency.js";
import type { Benchmark, MetricInput } from "../harness/types.js";
import { startIngestProcess, storedEvents } from "../processes/ingest-process.js";

/** In-flight publishes, as the agent's forwarder default (`forward.maxInFlight`). */
export const WINDOW = 8;
/** Events per envelope, as the agent's forwarder default (`forward.batchMaxEvents`). */
export const ENVELOPE_EVENTS = 500;
const NAIVE_GATEWAY = "gw-naive";

export const brokerBaselines: Benchmark = {
  name: "broker-baselines",
  title: "Baselines: Mosquitto pass-through and the naive design",
  steps: (_mode, samples) => samples * 2,
  async run(context) {
    const passEvents = context.mode === "quick" ? 100_000 : 500_000;
    const naiveEvents = context.mode === "quick" ? 500 : 1_500;
    const envelopes = toEnvelopes(readingMix(passEvents, 31), {
      batchSize: ENVELOPE_EVENTS,
      gateways: ["gw-bench"],
    });
    const payloads = envelopes.map((envelope) => encodeEnvelope(envelope, newSenderClock()));
    const single = toEnvelopes(readingMix(naiveEvents, 32), { batchSize: 1, gateways: [NAIVE_GATEWAY] });
    const topologyPath = writeMallTopology(join(context.workDir, "topology.json"));
    const metrics: MetricInput[] = [];
    const notes: string[] = [];

    const passRates: number[] = [];
    const lost: number[] = [];
    let unreachable: string | null = null;
    for (let i = 0; i < context.samples && unreachable === null; i++) {
      context.progress.step(`mosquitto ${i + 1}/${context.samples}`);
      try {
        const pass = await mosquittoPassThrough(payloads, WINDOW);
        passRates.push(pass.messagesPerSecond * ENVELOPE_EVENTS);
        lost.push(pass.lost);
      } catch (error) {
        unreachable = (error as Error).message;
      }
    }
    if (unreachable !== null) {
      notes.push(`Mosquitto is not reachable at ${MOSQUITTO_URL} (${unreachable}): no broker baseline.`);
    } else {
      metrics.push(
        {
          id: "broker.mosquitto.rate",
          label: `Mosquitto pass-through, ${ENVELOPE_EVENTS}-event envelopes`,
          unit: "events/s",
          samples: passRates,
        },
        {
          id: "broker.mosquitto.lost",
          label: "messages the subscriber never got",
          unit: "messages",
          samples: lost,
        },
      );
    }

    const naive: number[] = [];
    for (let i = 0; i < context.samples; i++) {
      context.progress.step(`naive ${i + 1}/${context.samples}`);
      const ingest = await startIngestProcess({ dir: context.workDir, topologyPath });
      try {
        const client = await connectClient(ingest.ready.mqttUrl);
        const clock = newSenderClock();
        const started = nowMicros();
        try {
          await publishWindowed(
            client,
            buildTopic(MALL_SITE, NAIVE_GATEWAY, "events"),
            single.length,
            (index) => encodeEnvelope(single[index] as WireEnvelope, clock),
            WINDOW,
          );
        } finally {
          await endClient(client);
        }
        naive.push(naiveEvents / elapsedSeconds(started));
        const stored = await storedEvents(ingest.ready.httpUrl, NAIVE_GATEWAY);
        if (stored !== naiveEvents)
          throw new Error(`the naive run stored ${stored} of ${naiveEvents} events`);
      } finally {
        await ingest.stop();
      }
    }
    metrics.push({
      id: "broker.naive.rate",
      label: "naive design: 1 event per message, 1 transaction per event",
      unit: "events/s",
      samples: naive,
    });
    return {
      method:
        `**Mosquitto**: ${envelopes.length} envelopes of ${ENVELOPE_EVENTS} events of the mix ` +
        `(${MIX_DESCRIPTION}; about ${Math.round((payloads[0]?.length ?? 0) / 1024)} KiB ` +
        `each) from a QoS 1 mqtt.js publisher with ${WINDOW} in flight to a plain QoS 1 subscriber on a ` +
        `topic of its own, through the machine's Mosquitto on defaults (it acks on receipt and stores ` +
        "nothing): the broker limit. **Naive design**: " +
        `${naiveEvents.toLocaleString("en-US")} events, one per MQTT message (QoS 1, ${WINDOW} in ` +
        "flight), into a real `lotwatch-ingest` process, which commits each message in its own " +
        "transaction before its PUBACK; the clock stops at the last PUBACK.",
      metrics,
      notes,
    };
  },
};
