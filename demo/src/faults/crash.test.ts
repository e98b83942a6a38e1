import { createRandom } from "@lotwatch/simulators/random/random.js";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { FAULT_SEED, figures, perSecond, report } from "./test-support/fault-mode.js";
import { type FaultRig, startFaultRig, waitForAgent } from "./test-support/fault-rig.js";
import { committedSeq, storedSeqs } from "./test-support/stores.js";

const KILLS = figures.kills;
const RATE = figures.crashRate;
const GATEWAY = "gw-faults-crash";
/** How long the agent runs between its restart and the next kill: a random moment in this range. */
const RUN_BETWEEN_KILLS_MS = [300, 2_000] as const;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("crash: the agent is killed with SIGKILL while readings pour in", () => {
  let rig: FaultRig;

  beforeAll(async () => {
    rig = await startFaultRig({ gateway: GATEWAY, feeder: { rate: RATE } });
  }, 60_000);

  afterAll(async () => {
    await rig?.close();
  }, 60_000);

  it(`loses no committed reading and stores none twice over ${KILLS} kills at random moments`, async () => {
    onTestFailed(() => console.error(`seed ${FAULT_SEED}\n${rig.logTails()}`));
    const { agent, feeder, ingest } = rig;
    const random = createRandom(FAULT_SEED);
    const started = performance.now();
    feeder.start();
    const committedAtKill: number[] = [];
    let downMs = 0;
    for (let kill = 0; kill < KILLS; kill++) {
      await sleep(random.int(...RUN_BETWEEN_KILLS_MS));
      const down = performance.now();
      await agent.stop("SIGKILL");
      const committed = committedSeq(agent.bufferPath);
      // seqs are never reused: every kill finds at least what the one before it did.
      expect(committed).toBeGreaterThanOrEqual(committedAtKill.at(-1) ?? 0);
      committedAtKill.push(committed);
      await agent.start();
      downMs += performance.now() - down;
    }
    await sleep(1_000);
    feeder.pause();
    const pouring = performance.now() - started;
    // The feeder has stopped; once the agent holds nothing, everything it committed has a PUBACK.
    await waitForAgent(agent, "an empty backlog", (status) => status.backlog === 0, 60_000);
    expect(await agent.stop("SIGTERM")).toBe(0);
    const committed = committedSeq(agent.bufferPath);
    expect(committed).toBeGreaterThanOrEqual(committedAtKill.at(-1) ?? 0);
    expect(committed).toBeGreaterThan(KILLS * 500);

    expect(storedSeqs(ingest.dbPath, GATEWAY)).toEqual({
      rows: committed,
      distinct: committed,
      min: 1,
      max: committed,
    });
    const gateways = await fetch(`${ingest.httpUrl()}/v1/gateways`).then(
      (response) => response.json() as Promise<{ gateways: { id: string; duplicates: number }[] }>,
    );
    report("crash", {
      kills: KILLS,
      seed: FAULT_SEED,
      committed,
      committedAtKills: committedAtKill.join(","),
      written: feeder.written(),
      lostInFlightAtKills: feeder.written() - committed,
      feedRate: `${RATE}/s`,
      acceptRateWhileUp: perSecond(committed, pouring - downMs),
      meanDownMs: Math.round(downMs / KILLS),
      duplicatesAtIngest: gateways.gateways.find((gateway) => gateway.id === GATEWAY)?.duplicates ?? "?",
    });
  }, 300_000);
});
