import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { createEventBuffer } from "@lotwatch/edge-agent/buffer/event-buffer.js";
import { createSilentLogger } from "@lotwatch/edge-agent/common/logger.js";
import type { Reading } from "@lotwatch/protocol/events.js";
import { PENDING_TABLE, RAW_BATCH, rawInsertRate } from "../baselines/raw-insert.js";
import { MALL_SITE } from "../fixtures/mall-topology.js";
import { MIX_DESCRIPTION, readingMix } from "../fixtures/reading-mix.js";
import { pendingRows } from "../fixtures/stored-rows.js";
import { elapsedSeconds, nowMicros } from "../harness/latency.js";
import { atLeast } from "../harness/metrics.js";
import { ratioSamples } from "../harness/stats.js";
import type { Benchmark } from "../harness/types.js";

/** Readings per `accept` call: what a line input hands over from one chunk of its device. */
const CHUNK = 10;
/** Chunks handed over between two turns of the event loop. */
const CHUNKS_PER_TURN = 100;

export const agentAccept: Benchmark = {
  name: "agent-accept",
  title: "Agent durable accept rate (group commit)",
  steps: (_mode, samples) => samples * 2 + 1,
  async run(context) {
    const count = context.mode === "quick" ? 50_000 : 200_000;
    const readings = readingMix(count, 11);
    const bootId = randomUUID();
    const rows = pendingRows(readings, MALL_SITE, bootId);
    const raw: number[] = [];
    const accepted: number[] = [];
    const perCommit: number[] = [];
    // A running agent (and the baseline's driver) has its code compiled and optimized: one pass of
    // each first, reported on its own, not among the samples.
    context.progress.step("warm-up pass");
    rawInsertRate(join(context.workDir, "raw-warm-up.db"), PENDING_TABLE, rows);
    const coldPass = await acceptAll(join(context.workDir, "buffer-warm-up.db"), readings);
    for (let i = 0; i < context.samples; i++) {
      context.progress.step(`raw insert ${i + 1}/${context.samples}`);
      raw.push(rawInsertRate(join(context.workDir, `raw-${i}.db`), PENDING_TABLE, rows));
      context.progress.step(`agent buffer ${i + 1}/${context.samples}`);
      const run = await acceptAll(join(context.workDir, `buffer-${i}.db`), readings);
      accepted.push(run.rate);
      perCommit.push(run.readingsPerCommit);
    }
    return {
      method:
        `${count.toLocaleString("en-US")} readings of the mix (${MIX_DESCRIPTION}) go into a new agent ` +
        `buffer (\`createEventBuffer\`, WAL, \`synchronous=FULL\`) as \`accept()\` calls of ${CHUNK} ` +
        `readings, not awaited one by one (as a line input hands them over); the rate counts until the ` +
        `last promise resolved, i.e. everything is committed. Baseline, same rounds: raw better-sqlite3 ` +
        `inserts of the same rows into the same table and pragmas, one prepared INSERT, ${RAW_BATCH} ` +
        "rows per transaction. Before the samples, one unmeasured pass of each warms the JIT up, as in " +
        "a running agent; the agent's own is shown as the cold figure.",
      metrics: [
        { id: "agent.accept.raw", label: "raw batched insert, same rows", unit: "rows/s", samples: raw },
        {
          id: "agent.accept.rate",
          label: "durable accept rate",
          unit: "readings/s",
          samples: accepted,
          target: atLeast(50_000),
        },
        {
          id: "agent.accept.ratio",
          label: "accept rate ÷ raw insert",
          unit: "×",
          samples: ratioSamples(accepted, raw),
          target: atLeast(0.5),
        },
        {
          id: "agent.accept.cold",
          label: "first pass, JIT cold (not a sample)",
          unit: "readings/s",
          samples: [coldPass.rate],
        },
        { id: "agent.accept.per-commit", label: "readings per commit", unit: "readings", samples: perCommit },
      ],
    };
  },
};

async function acceptAll(
  path: string,
  readings: readonly Reading[],
): Promise<{ rate: number; readingsPerCommit: number }> {
  const buffer = createEventBuffer({
    path,
    synchronous: "full",
    gatewayId: "gw-bench",
    site: MALL_SITE,
    bootId: randomUUID(),
    logger: createSilentLogger(),
  });
  try {
    const pending: Array<Promise<unknown>> = [];
    const started = nowMicros();
    for (let from = 0, chunks = 0; from < readings.length; from += CHUNK, chunks++) {
      pending.push(buffer.accept(readings.slice(from, from + CHUNK)));
      if (chunks % CHUNKS_PER_TURN === CHUNKS_PER_TURN - 1) await new Promise(setImmediate);
    }
    await Promise.all(pending);
    const seconds = elapsedSeconds(started);
    const { commits } = buffer.stats();
    return { rate: readings.length / seconds, readingsPerCommit: readings.length / Math.max(1, commits) };
  } finally {
    buffer.close();
  }
}
