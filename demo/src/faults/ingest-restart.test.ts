import { createRandom } from "@lotwatch/simulators/random/random.js";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { FAULT_SEED, figures, perSecond, report } from "./test-support/fault-mode.js";
import { type FaultRig, startFaultRig, waitForAgent } from "./test-support/fault-rig.js";
import { committedSeq, storedSeqs } from "./test-support/stores.js";

const RESTARTS = figures.ingestRestarts;
const RATE = figures.ingestRate;
const GATEWAY = "gw-faults-restart";
const RUN_BETWEEN_FAULTS_MS = [500, 1_500] as const;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("broker and ingest restart: the ingest with its embedded broker goes down mid-stream", () => {
  let rig: FaultRig;

  beforeAll(async () => {
    rig = await startFaultRig({ gateway: GATEWAY, feeder: { rate: RATE } });
  }, 60_000);

  afterAll(async () => {
    await rig?.close();
  }, 60_000);

  it(`loses nothing over ${RESTARTS} SIGTERM and ${RESTARTS} SIGKILL restarts on the same ports and database`, async () => {
    onTestFailed(() => console.error(`seed ${FAULT_SEED}\n${rig.logTails()}`));
    const { agent, feeder, ingest } = rig;
    const random = createRandom(FAULT_SEED);
    await waitForAgent(agent, "connected", (status) => status.connected, 20_000);
    const started = performance.now();
    feeder.start();
    const faults: string[] = [];
    let downMs = 0;
    for (let round = 0; round < RESTARTS; round++) {
      for (const signal of ["SIGTERM", "SIGKILL"] as const) {
        await sleep(random.int(...RUN_BETWEEN_FAULTS_MS));
        const down = performance.now();
        const exitCode = await ingest.stop(signal);
        // A clean stop finishes its commits and exits 0; a kill just ends the process.
        if (signal === "SIGTERM") expect(exitCode).toBe(0);
        // Whatever the ingest stored so far, it stored once.
        const stored = storedSeqs(ingest.dbPath, GATEWAY);
        expect(stored.rows).toBe(stored.distinct);
        await sleep(random.int(100, 500));
        await ingest.start();
        await waitForAgent(agent, "reconnected", (status) => status.connected, 20_000);
        downMs += performance.now() - down;
        faults.push(`${signal}@${stored.rows}`);
      }
    }
    await sleep(500);
    feeder.pause();
    const pouring = performance.now() - started;
    await waitForAgent(agent, "an empty backlog", (status) => status.backlog === 0, 60_000);
    expect(await agent.stop("SIGTERM")).toBe(0);
    const committed = committedSeq(agent.bufferPath);
    expect(committed).toBeGreaterThan(RATE);

    expect(storedSeqs(ingest.dbPath, GATEWAY)).toEqual({
      rows: committed,
      distinct: committed,
      min: 1,
      max: committed,
    });
    report("ingest restart", {
      restarts: faults.length,
      seed: FAULT_SEED,
      storedAtEachFault: faults.join(","),
      committed,
      feedRate: `${RATE}/s`,
      acceptRate: perSecond(committed, pouring),
      meanDownMs: Math.round(downMs / faults.length),
    });
  }, 300_000);
});
