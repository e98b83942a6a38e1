import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { createEventBuffer } from "@lotwatch/edge-agent/buffer/event-buffer.js";
import { createSilentLogger } from "@lotwatch/edge-agent/common/logger.js";
import type { Reading } from "@lotwatch/protocol/events.js";
import { readingMix } from "../fixtures/reading-mix.js";
import { elapsedSeconds, nowMicros } from "../harness/latency.js";
import { type AcceptOptions, type AcceptPass, CHUNK, CHUNKS_PER_TURN } from "./accept-run.js";

/** The agent side of `runAcceptPasses`: options in argv[2], one result per pass back over IPC. */
const options = JSON.parse(process.argv[2] ?? "{}") as AcceptOptions;
const readings = readingMix(options.count, options.seed);
const passes: AcceptPass[] = [];
for (let pass = 0; pass < options.passes; pass++) {
  passes.push(await acceptAll(join(options.dir, `buffer-${pass}.db`), readings));
}
process.send?.(passes, () => process.exit(0));

async function acceptAll(path: string, readings: readonly Reading[]): Promise<AcceptPass> {
  const buffer = createEventBuffer({
    path,
    synchronous: "full",
    gatewayId: "gw-bench",
    site: options.site,
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
