import { createRandom } from "@lotwatch/simulators/random/random.js";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { type FaultRig, startFaultRig, waitForAgent } from "../../faults/test-support/fault-rig.js";
import { committedSeq } from "../../faults/test-support/stores.js";
import { expectEverySeqAccountedFor } from "../test-support/accounting.js";
import { figures, RELIABILITY_SEED, report } from "../test-support/reliability-mode.js";
import { type ChaosFault, chaosSchedule } from "./chaos-schedule.js";
import { sampleMemory } from "./memory-sampler.js";

/** `LOTWATCH_CHAOS_STEPS=N` sets the number of faults (about 5 s each) whatever the mode. */
const STEPS = Number(process.env.LOTWATCH_CHAOS_STEPS ?? figures.chaosSteps);
const RATE = figures.chaosRate;
const GATEWAY = "gw-chaos";
/** The link between faults: 20 ms each way and 10% of chunks lost (and resent by TCP 200 ms+ later). */
const LINK = { latencyMs: 20, lossProbability: 0.1, retransmitMs: 200 };
/** The agent's resident memory must stay under this through every fault (a quick run peaked at 124 MiB). */
const AGENT_RSS_BOUND_BYTES = 192 * 1024 * 1024;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("chaos: link cuts, packet loss, latency, broker restarts and SIGKILLs, all in one run", () => {
  let rig: FaultRig;

  beforeAll(async () => {
    rig = await startFaultRig({
      gateway: GATEWAY,
      feeder: { rate: RATE },
      proxy: LINK,
      random: createRandom(RELIABILITY_SEED + 1).next,
    });
  }, 60_000);

  afterAll(async () => {
    await rig?.close();
  }, 60_000);

  it(`accounts for every (gateway, seq) accepted at the edge over ${STEPS} faults: 0 lost, 0 doubled`, async () => {
    onTestFailed(() => console.error(`seed ${RELIABILITY_SEED}\n${rig.logTails()}`));
    const { agent, feeder, ingest } = rig;
    const proxy = rig.proxy;
    if (proxy === null) throw new Error("the chaos run needs the fault proxy");
    const memory = sampleMemory(() => agent.pid());
    const counts: Record<ChaosFault["kind"], number> = {
      "link-cut": 0,
      "link-stall": 0,
      "broker-restart": 0,
      "ingest-kill": 0,
      "agent-kill": 0,
    };
    const committedAtKills: number[] = [];
    try {
      await waitForAgent(agent, "connected", (status) => status.connected, 20_000);
      const started = performance.now();
      feeder.start();
      for (const step of chaosSchedule(createRandom(RELIABILITY_SEED), STEPS)) {
        await sleep(step.calmMs);
        const { fault } = step;
        counts[fault.kind]++;
        switch (fault.kind) {
          case "link-cut":
            proxy.cut();
            await sleep(fault.ms);
            proxy.restore();
            break;
          case "link-stall":
            proxy.stall();
            await sleep(fault.ms);
            proxy.restore();
            break;
          case "broker-restart":
            expect(await ingest.stop("SIGTERM")).toBe(0);
            await ingest.start();
            break;
          case "ingest-kill":
            await ingest.stop("SIGKILL");
            await ingest.start();
            break;
          case "agent-kill": {
            await agent.stop("SIGKILL");
            const committed = committedSeq(agent.bufferPath);
            // A seq handed out is never handed out again, so the high-water mark only rises.
            expect(committed).toBeGreaterThanOrEqual(committedAtKills.at(-1) ?? 0);
            committedAtKills.push(committed);
            await agent.start();
            break;
          }
        }
      }
      const chaosMs = performance.now() - started;

      // The closing outage: a backlog piles up, then drains through the same lossy, slow link.
      await waitForAgent(agent, "connected", (status) => status.connected, 30_000);
      proxy.cut();
      await sleep(figures.chaosDrainCutMs);
      feeder.pause();
      await sleep(300);
      const backlog = (await agent.status()).backlog;
      const drainStart = performance.now();
      proxy.restore();
      await waitForAgent(
        agent,
        "an empty backlog",
        (status) => status.connected && status.backlog === 0,
        180_000,
      );
      const drainMs = performance.now() - drainStart;
      expect(await agent.stop("SIGTERM")).toBe(0);
      memory.stop();

      const committed = committedSeq(agent.bufferPath);
      const accounting = await expectEverySeqAccountedFor(ingest, GATEWAY, committed);
      // No cap was reached, so no gap may excuse a seq: every accepted reading is stored, once.
      expect({ lost: accounting.lost, stored: accounting.stored }).toEqual({ lost: 0, stored: committed });
      expect(memory.peakBytes()).toBeGreaterThan(0);
      expect(memory.peakBytes()).toBeLessThan(AGENT_RSS_BOUND_BYTES);
      const gateways = (await fetch(`${ingest.httpUrl()}/v1/gateways`).then((response) =>
        response.json(),
      )) as {
        gateways: { id: string; duplicates: number }[];
      };
      report("chaos", {
        seed: RELIABILITY_SEED,
        faults: Object.entries(counts)
          .map(([kind, count]) => `${kind}:${count}`)
          .join(","),
        chaosSeconds: Math.round(chaosMs / 1000),
        accepted: committed,
        stored: accounting.stored,
        lost: committed - accounting.stored,
        doubled: accounting.storedRows - accounting.stored,
        duplicateDeliveriesDropped:
          gateways.gateways.find((gateway) => gateway.id === GATEWAY)?.duplicates ?? "?",
        lostChunks: proxy.stats().lostChunks,
        agentPeakRssMiB: (memory.peakBytes() / 1024 / 1024).toFixed(1),
        drainBacklog: backlog,
        drainRate: `${Math.round((backlog * 1000) / drainMs)}/s`,
      });
    } finally {
      memory.stop();
    }
  }, 3_600_000);
});
