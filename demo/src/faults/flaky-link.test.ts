import { createRandom } from "@lotwatch/simulators/random/random.js";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { FAULT_SEED, figures, perSecond, report } from "./test-support/fault-mode.js";
import { type FaultRig, startFaultRig, waitForAgent } from "./test-support/fault-rig.js";
import { outOfOrderSeqs, storedSeqs } from "./test-support/stores.js";

const READINGS = figures.flakyReadings;
const GATEWAY = "gw-faults-flaky";
/** A slow, lossy uplink: 20 ms each way, 256 KiB/s, and one chunk in 20 resets its connection. */
const SHAPE = { latencyMs: 20, bytesPerSecond: 256 * 1024, dropProbability: 0.05 };
/** Small envelopes: hundreds of chunks cross the link, so drops are all but certain. */
const BATCH_MAX_EVENTS = 50;
const STALL_MS = 3_000;
const STALL_SETTLE_MS = 1000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("flaky link: slow, lossy and stalled for a while", () => {
  let rig: FaultRig;

  beforeAll(async () => {
    rig = await startFaultRig({
      gateway: GATEWAY,
      feeder: { rate: 2_000, limit: READINGS },
      proxy: SHAPE,
      random: createRandom(FAULT_SEED).next,
      forward: { batchMaxEvents: BATCH_MAX_EVENTS },
    });
  }, 60_000);

  afterAll(async () => {
    await rig?.close();
  }, 60_000);

  it(`delivers all ${READINGS} readings once each through drops, latency and a ${STALL_MS} ms stall`, async () => {
    onTestFailed(() => console.error(`seed ${FAULT_SEED}\n${rig.logTails()}`));
    const { agent, feeder, ingest } = rig;
    const proxy = rig.proxy;
    if (proxy === null) throw new Error("this test needs the fault proxy");
    await waitForAgent(agent, "connected", (status) => status.connected, 20_000);
    const started = performance.now();
    feeder.start();
    await waitForAgent(agent, "half the readings", (status) => status.accepted >= READINGS / 2, 60_000);

    proxy.stall();
    // What crossed the link just before the stall may still be committing at the ingest.
    await sleep(STALL_SETTLE_MS);
    const stalledAt = storedSeqs(ingest.dbPath, GATEWAY).rows;
    await sleep(STALL_MS - STALL_SETTLE_MS);
    // A stalled link is not a cut one: the sockets stay up and nothing gets through.
    expect(storedSeqs(ingest.dbPath, GATEWAY).rows).toBe(stalledAt);
    expect(proxy.stats().state).toBe("stalled");
    proxy.restore();

    await waitForAgent(
      agent,
      "every reading sent",
      (status) => status.accepted >= READINGS && status.backlog === 0,
      120_000,
    );
    const deliveredMs = performance.now() - started;
    expect(storedSeqs(ingest.dbPath, GATEWAY)).toEqual({
      rows: READINGS,
      distinct: READINGS,
      min: 1,
      max: READINGS,
    });
    expect(outOfOrderSeqs(ingest.dbPath, GATEWAY)).toBe(0);
    const stats = proxy.stats();
    report("flaky link", {
      readings: READINGS,
      seed: FAULT_SEED,
      droppedConnections: stats.droppedConnections,
      connections: stats.acceptedConnections,
      chunks: stats.chunksToTarget + stats.chunksFromTarget,
      stallMs: STALL_MS,
      bytesToBroker: stats.bytesToTarget,
      endToEnd: perSecond(READINGS, deliveredMs),
    });
  }, 300_000);
});
