import { statSync } from "node:fs";
import { LotwatchError } from "@lotwatch/protocol/errors.js";
import { MALL_SITE } from "../fixtures/mall-topology.js";
import { MIX_DESCRIPTION, readingMix } from "../fixtures/reading-mix.js";
import { atMost } from "../harness/metrics.js";
import type { Benchmark, Mode } from "../harness/types.js";
import { agentHeap, agentStatus, startAgentProcess } from "../processes/agent-process.js";
import { residentMemory } from "../processes/child.js";
import { startLineFeeder } from "../processes/line-feeder.js";
import { formatCompact } from "../report/format.js";

const MB = 1024 * 1024;
const checkpointsFor = (mode: Mode) =>
  mode === "quick" ? [0, 25_000, 50_000, 100_000] : [0, 100_000, 250_000, 500_000, 750_000, 1_000_000];
/** Lines per write to the agent's input. */
const WRITE_LINES = 2_000;
const ACCEPT_TIMEOUT_MS = 120_000;
/** Nothing listens here: the agent stays offline and buffers everything. */
const UNREACHABLE_BROKER = "mqtt://127.0.0.1:1";

export const agentMemory: Benchmark = {
  name: "agent-memory",
  title: "Agent memory with a backlog",
  steps: (mode) => checkpointsFor(mode).length,
  async run(context) {
    const checkpoints = checkpointsFor(context.mode);
    const largest = checkpoints[checkpoints.length - 1] as number;
    const lines = readingMix(Math.min(largest, 200_000), 71).map((reading) => `${JSON.stringify(reading)}\n`);
    const feeder = await startLineFeeder();
    const agent = await startAgentProcess({
      dir: context.workDir,
      gateway: "gw-memory",
      site: MALL_SITE,
      brokerUrl: UNREACHABLE_BROKER,
      linePort: feeder.port,
    });
    const rss: number[] = [];
    const bytesPerReading: number[] = [];
    const heaps: string[] = [];
    let peak = 0;
    try {
      await feeder.connected();
      let sent = 0;
      for (const checkpoint of checkpoints) {
        context.progress.step(`${formatCompact(checkpoint)} readings buffered`);
        while (sent < checkpoint) {
          const count = Math.min(WRITE_LINES, checkpoint - sent);
          const from = sent % lines.length;
          await feeder.write(lines.slice(from, from + count).join(""));
          sent += count;
        }
        await waitForBacklog(agent.ready.httpUrl, checkpoint);
        // A moment for the last commit's garbage to be collected, as it would be on a quiet gateway.
        await new Promise((resolve) => setTimeout(resolve, 500));
        const memory = residentMemory(agent.pid);
        rss.push(memory.rss / MB);
        peak = memory.peak / MB;
        const heap = await agentHeap(agent.ready.httpUrl);
        heaps.push(
          `${formatCompact(checkpoint)}: RSS ${Math.round(memory.rss / MB)}, heap used ${Math.round(heap.heapUsed / MB)} ` +
            `of ${Math.round(heap.heapTotal / MB)}, external ${Math.round(heap.external / MB)}`,
        );
        if (checkpoint > 0) bytesPerReading.push(bufferBytes(agent.bufferPath) / checkpoint);
      }
    } finally {
      await agent.stop();
      await feeder.close();
    }
    const final = rss[rss.length - 1] ?? Number.NaN;
    return {
      method:
        "A real `lotwatch-agent run` process, offline (its broker URL refuses connections), reads " +
        `jsonl lines of the mix (${MIX_DESCRIPTION}) from a tcp-serial input fed by the benchmark, ` +
        `${WRITE_LINES.toLocaleString("en-US")} lines per write. At each backlog the benchmark waits ` +
        "until `/v1/status` reports it, then reads the process's VmRSS from /proc. Bytes per reading " +
        "are the buffer file plus its WAL divided by the readings in it.",
      metrics: [
        {
          id: "agent.memory.rss",
          label: `agent RSS with ${formatCompact(largest)} readings buffered`,
          unit: "MB",
          samples: [final],
          target: atMost(100),
        },
        {
          id: "agent.memory.rss.empty",
          label: "agent RSS, empty buffer",
          unit: "MB",
          samples: rss.slice(0, 1),
        },
        {
          id: "agent.memory.peak",
          label: "agent peak RSS (VmHWM) over the run",
          unit: "MB",
          samples: [peak],
        },
        {
          id: "agent.memory.bytes-per-reading",
          label: `buffer bytes per reading at ${formatCompact(largest)}`,
          unit: "bytes",
          samples: bytesPerReading.slice(-1),
        },
      ],
      curves: [
        {
          id: "memory-vs-backlog",
          title: "Agent memory against backlog",
          xLabel: "readings buffered",
          yLabel: "RSS, MB",
          logX: false,
          series: [
            { name: "RSS", points: checkpoints.map((x, i) => ({ x, samples: [rss[i] ?? Number.NaN] })) },
          ],
        },
      ],
      notes: [
        `Bytes per reading by backlog: ${checkpoints
          .slice(1)
          .map(
            (checkpoint, i) =>
              `${formatCompact(checkpoint)}: ${Math.round(bytesPerReading[i] ?? Number.NaN)}`,
          )
          .join(", ")}.`,
        `Where the memory is (MB, V8 figures from the agent's /metrics): ${heaps.join("; ")}.`,
        "One run (memory is not timing noise); the curve's points are single readings.",
      ],
    };
  },
};

async function waitForBacklog(httpUrl: string, expected: number): Promise<void> {
  const deadline = Date.now() + ACCEPT_TIMEOUT_MS;
  for (;;) {
    const status = await agentStatus(httpUrl);
    if (status.malformed > 0) {
      throw new LotwatchError(
        "malformed_lines",
        `the agent skipped ${status.malformed} benchmark lines as malformed`,
      );
    }
    if (status.backlog >= expected) return;
    if (Date.now() > deadline) {
      throw new LotwatchError(
        "accept_timeout",
        `backlog ${status.backlog} of ${expected} after ${ACCEPT_TIMEOUT_MS} ms`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function bufferBytes(path: string): number {
  const size = (file: string) => {
    try {
      return statSync(file).size;
    } catch {
      return 0;
    }
  };
  return size(path) + size(`${path}-wal`);
}
