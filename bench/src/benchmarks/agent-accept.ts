import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { PENDING_TABLE, RAW_BATCH, rawInsertRate } from "../baselines/raw-insert.js";
import { MALL_SITE } from "../fixtures/mall-topology.js";
import { MIX_DESCRIPTION, readingMix } from "../fixtures/reading-mix.js";
import { pendingRows } from "../fixtures/stored-rows.js";
import { atLeast } from "../harness/metrics.js";
import { ratioSamples } from "../harness/stats.js";
import type { Benchmark } from "../harness/types.js";
import { CHUNK, runAcceptPasses } from "../processes/accept-run.js";

const SEED = 11;

export const agentAccept: Benchmark = {
  name: "agent-accept",
  title: "Agent durable accept rate (group commit)",
  steps: (_mode, samples) => samples + 2,
  async run(context) {
    const count = context.mode === "quick" ? 50_000 : 200_000;
    const rows = pendingRows(readingMix(count, SEED), MALL_SITE, randomUUID());
    const raw: number[] = [];
    // The baseline's driver has its code optimized before it is timed, as the agent's is below.
    context.progress.step("raw insert, warm-up pass");
    rawInsertRate(join(context.workDir, "raw-warm-up.db"), PENDING_TABLE, rows);
    for (let i = 0; i < context.samples; i++) {
      context.progress.step(`raw insert ${i + 1}/${context.samples}`);
      raw.push(rawInsertRate(join(context.workDir, `raw-${i}.db`), PENDING_TABLE, rows));
    }
    context.progress.step(`agent buffer: a warm-up pass and ${context.samples} samples`);
    const [cold, ...passes] = await runAcceptPasses({
      dir: context.workDir,
      count,
      seed: SEED,
      site: MALL_SITE,
      passes: context.samples + 1,
    });
    const accepted = passes.map((pass) => pass.rate);
    return {
      method:
        `${count.toLocaleString("en-US")} readings of the mix (${MIX_DESCRIPTION}) go into a new agent ` +
        `buffer (\`createEventBuffer\`, WAL, \`synchronous=FULL\`) as \`accept()\` calls of ${CHUNK} ` +
        `readings, not awaited one by one (as a line input hands them over); the rate counts until the ` +
        "last promise resolved, i.e. everything is committed. The buffer runs in a child process with " +
        "the Node flags of `lotwatch-agent`'s shebang (its 1 MB young generation and 64 MB heap cap), " +
        "which also holds the readings (~14 MB at 200,000); a first unmeasured pass warms the JIT up, " +
        "as in a running agent, and is shown as the cold figure. Baseline: raw better-sqlite3 inserts " +
        `of the same rows into the same table and pragmas, one prepared INSERT, ${RAW_BATCH} rows per ` +
        "transaction, in the benchmark's process after a warm-up pass of its own.",
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
          samples: cold === undefined ? [] : [cold.rate],
        },
        {
          id: "agent.accept.per-commit",
          label: "readings per commit",
          unit: "readings",
          samples: passes.map((pass) => pass.readingsPerCommit),
        },
      ],
    };
  },
};
