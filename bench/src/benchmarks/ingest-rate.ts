import { join } from "node:path";
import { checkEnvelope } from "@lotwatch/cloud-ingest/ingest/check-envelope.js";
import { parseTopic } from "@lotwatch/protocol/topics.js";
import { EVENTS_TABLE, RAW_BATCH, rawInsertRate } from "../baselines/raw-insert.js";
import { openIngestPipeline } from "../fixtures/ingest-store.js";
import { writeMallTopology } from "../fixtures/mall-topology.js";
import { MIX_DESCRIPTION, readingMix } from "../fixtures/reading-mix.js";
import { eventRows } from "../fixtures/stored-rows.js";
import { encodeEnvelope, newSenderClock, toEnvelopes, type WireEnvelope } from "../fixtures/wire-events.js";
import { elapsedSeconds, nowMicros } from "../harness/latency.js";
import { atLeast } from "../harness/metrics.js";
import { ratioSamples } from "../harness/stats.js";
import type { Benchmark, Mode } from "../harness/types.js";

const GATEWAYS = ["gw-1", "gw-2", "gw-3", "gw-4"];
const MAIN_BATCH = 500;
/** As many envelopes as the agent's forwarder keeps unacknowledged (`forward.maxInFlight`). */
const IN_FLIGHT = 8;

/** Events per sample at each batch size: small batches commit once per envelope, so they get fewer. */
function eventsPerBatchSize(mode: Mode): Map<number, number> {
  return mode === "quick"
    ? new Map([
        [1, 200],
        [10, 1_000],
        [100, 5_000],
        [MAIN_BATCH, 20_000],
      ])
    : new Map([
        [1, 1_000],
        [10, 5_000],
        [100, 20_000],
        [MAIN_BATCH, 60_000],
      ]);
}

export const ingestRate: Benchmark = {
  name: "ingest-rate",
  title: "Ingest rate into SQLite (batched envelopes)",
  steps: (_mode, samples) => samples * 7 + 1,
  async run(context) {
    const topologyPath = writeMallTopology(join(context.workDir, "topology.json"));
    const sizes = eventsPerBatchSize(context.mode);
    const largest = Math.max(...sizes.values());
    const readings = readingMix(largest, 21);
    const envelopesBySize = new Map(
      [...sizes].map(([batch, count]) => [
        batch,
        toEnvelopes(readings.slice(0, count), { batchSize: batch, gateways: GATEWAYS }),
      ]),
    );
    const mainEnvelopes = envelopesBySize.get(MAIN_BATCH) as WireEnvelope[];
    const rows = mainEnvelopes.flatMap((envelope) =>
      eventRows(envelope.gateway, envelope.events, Date.now()),
    );
    const raw: number[] = [];
    const validateOnly: number[] = [];
    const storeOnly: number[] = [];
    const grouped: number[] = [];
    const byBatch = new Map<number, number[]>([...sizes.keys()].map((batch) => [batch, []]));
    let file = 0;
    // A running ingest has its code compiled and optimized: the first pass (JIT cold) is reported
    // on its own, not among the samples.
    context.progress.step("warm-up pass");
    const coldPass = await ingestAll(
      join(context.workDir, `ingest-${file++}.db`),
      topologyPath,
      mainEnvelopes,
    );
    for (let i = 0; i < context.samples; i++) {
      context.progress.step(`raw insert ${i + 1}/${context.samples}`);
      raw.push(rawInsertRate(join(context.workDir, `raw-${i}.db`), EVENTS_TABLE, rows));
      for (const [batch, envelopes] of envelopesBySize) {
        context.progress.step(`batch ${batch} ${i + 1}/${context.samples}`);
        const dbPath = join(context.workDir, `ingest-${file++}.db`);
        byBatch.get(batch)?.push(await ingestAll(dbPath, topologyPath, envelopes));
      }
      context.progress.step(`${IN_FLIGHT} envelopes in flight ${i + 1}/${context.samples}`);
      const groupedPath = join(context.workDir, `ingest-${file++}.db`);
      grouped.push(await ingestAll(groupedPath, topologyPath, mainEnvelopes, IN_FLIGHT));
      context.progress.step(`where the time goes ${i + 1}/${context.samples}`);
      validateOnly.push(validateAll(mainEnvelopes));
      storeOnly.push(await storeAll(join(context.workDir, `store-${i}.db`), topologyPath, mainEnvelopes));
    }
    const main = byBatch.get(MAIN_BATCH) ?? [];
    return {
      method:
        `Envelopes of the mix (${MIX_DESCRIPTION}) from ${GATEWAYS.length} gateways, JSON-encoded up ` +
        "front, go one after another through the ingest's message handler (`createMessageHandler` on " +
        "the metered SQLite store, as `startIngest` wires them: JSON parse, per-event validation, " +
        "the events in one transaction, flushed to disk (fdatasync of the WAL) before the handler " +
        "resolves, count timelines and sessions in a second one meanwhile, WAL checkpoints in the " +
        "store's worker thread) into a " +
        `new database. ${sizes.get(MAIN_BATCH)?.toLocaleString("en-US")} events per sample at ` +
        `${MAIN_BATCH} per envelope. Baseline, same rounds: raw better-sqlite3 inserts of the same ` +
        `events rows into migration 1's \`events\` table (with its index), ${RAW_BATCH} rows per transaction. ` +
        `The grouped figure keeps ${IN_FLIGHT} envelopes in flight, as the agent's forwarder does; the store ` +
        "commits the envelopes handed in during one event-loop turn together (group commit). Before the " +
        "samples, one unmeasured pass of the main run warms the JIT up, as in a running ingest; its " +
        "own rate is shown as the cold figure.",
      metrics: [
        { id: "ingest.raw", label: "raw batched insert, same rows", unit: "rows/s", samples: raw },
        {
          id: "ingest.rate",
          label: `ingest rate, ${MAIN_BATCH} events/envelope`,
          unit: "events/s",
          samples: main,
          target: atLeast(100_000),
        },
        {
          id: "ingest.rate.cold",
          label: `first pass, JIT cold (${MAIN_BATCH} events/envelope, not a sample)`,
          unit: "events/s",
          samples: [coldPass],
        },
        {
          id: "ingest.ratio",
          label: "ingest rate ÷ raw insert",
          unit: "×",
          samples: ratioSamples(main, raw),
        },
        {
          id: "ingest.validate-only",
          label: "of which JSON parse + envelope and event validation alone",
          unit: "events/s",
          samples: validateOnly,
        },
        {
          id: "ingest.store-only",
          label: "of which `store.insertBatch` alone (events already validated)",
          unit: "events/s",
          samples: storeOnly,
        },
        {
          id: "ingest.rate.grouped",
          label: `ingest rate, ${IN_FLIGHT} envelopes of ${MAIN_BATCH} in flight (group commit)`,
          unit: "events/s",
          samples: grouped,
        },
        {
          id: "ingest.rate.batch1",
          label: "ingest rate, 1 event/envelope (one transaction per event)",
          unit: "events/s",
          samples: byBatch.get(1) ?? [],
        },
      ],
      curves: [
        {
          id: "ingest-vs-batch",
          title: "Ingest rate against batch size",
          xLabel: "events per envelope",
          yLabel: "events/s",
          logX: true,
          series: [
            {
              name: "ingest",
              points: [...byBatch].map(([batch, samples]) => ({ x: batch, samples })),
            },
          ],
        },
      ],
      notes: [
        `Events per sample by batch size: ${[...sizes].map(([batch, count]) => `${batch}: ${count.toLocaleString("en-US")}`).join(", ")}.`,
      ],
    };
  },
};

/**
 * Events per second of handler time: each payload is stamped (sentAt, uptime) just before its
 * call, as an agent sending now would, and the stamping is not timed. With `inFlight` > 1, that
 * many envelopes are handed in at once and a new one as each is stored; the rate is then events
 * over the wall time of the whole run.
 */
async function ingestAll(
  dbPath: string,
  topologyPath: string,
  envelopes: readonly WireEnvelope[],
  inFlight = 1,
): Promise<number> {
  const pipeline = openIngestPipeline(dbPath, topologyPath);
  try {
    const clock = newSenderClock();
    let events = 0;
    let micros = 0;
    let next = 0;
    const send = async (envelope: WireEnvelope) => {
      const payload = encodeEnvelope(envelope, clock);
      const started = nowMicros();
      const result = await pipeline.handler.handleMessage(envelope.topic, payload);
      if (inFlight === 1) micros += nowMicros() - started;
      if (result.kind !== "events" || result.rejected > 0) {
        throw new Error(
          `the ingest refused a benchmark envelope (${result.kind}, ${result.rejected} rejected)`,
        );
      }
      events += result.inserted;
    };
    const sender = async () => {
      for (let envelope = envelopes[next++]; envelope !== undefined; envelope = envelopes[next++]) {
        await send(envelope);
      }
    };
    const started = nowMicros();
    await Promise.all(Array.from({ length: inFlight }, sender));
    if (inFlight > 1) micros = nowMicros() - started;
    return events / (micros / 1e6);
  } finally {
    await pipeline.close();
  }
}

/** The handler's first half on its own: JSON.parse and `checkEnvelope` of each payload. */
function validateAll(envelopes: readonly WireEnvelope[]): number {
  const clock = newSenderClock();
  const payloads = envelopes.map((envelope) => encodeEnvelope(envelope, clock));
  let events = 0;
  const started = nowMicros();
  envelopes.forEach((envelope, i) => {
    const parts = parseTopic(envelope.topic);
    if (parts === null) throw new Error(`not a lotwatch topic: ${envelope.topic}`);
    const check = checkEnvelope(JSON.parse((payloads[i] as Buffer).toString("utf8")), parts);
    if (check.ok) events += check.events.length;
  });
  return events / elapsedSeconds(started);
}

/** The handler's second half on its own: the store's batch insert of already validated events. */
async function storeAll(
  dbPath: string,
  topologyPath: string,
  envelopes: readonly WireEnvelope[],
): Promise<number> {
  const pipeline = openIngestPipeline(dbPath, topologyPath);
  try {
    const receivedAt = Date.now();
    let events = 0;
    const started = nowMicros();
    for (const envelope of envelopes) {
      events += (await pipeline.store.insertBatch(envelope.gateway, envelope.events, receivedAt)).inserted;
    }
    return events / elapsedSeconds(started);
  } finally {
    await pipeline.close();
  }
}
