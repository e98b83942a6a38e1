import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { figures, perSecond, report } from "./test-support/fault-mode.js";
import { type FaultRig, startFaultRig, waitForAgent } from "./test-support/fault-rig.js";
import { expectGapsCoverExactly } from "./test-support/gap-coverage.js";
import { committedSeq } from "./test-support/stores.js";

const READINGS = figures.capReadings;
const GATEWAY = "gw-faults-cap";
/** A cap that holds about a thousand readings: the outage overflows it many times. */
const MAX_BYTES = "256KB";

describe("tiny cap over a long outage: the buffer overflows while the link is cut", () => {
  let rig: FaultRig;

  beforeAll(async () => {
    rig = await startFaultRig({
      gateway: GATEWAY,
      feeder: { rate: 0, limit: READINGS },
      proxy: {},
      buffer: { maxBytes: MAX_BYTES },
    });
  }, 60_000);

  afterAll(async () => {
    await rig?.close();
  }, 60_000);

  it(`reports exactly the seqs dropped from ${READINGS} readings, and the ingest counts them as lost`, async () => {
    onTestFailed(() => console.error(rig.logTails()));
    const { agent, feeder, ingest } = rig;
    const proxy = rig.proxy;
    if (proxy === null) throw new Error("this test needs the fault proxy");
    await waitForAgent(agent, "connected", (status) => status.connected, 20_000);

    // Nothing in flight when the link goes: a dropped row can then not have reached the ingest.
    proxy.cut();
    await waitForAgent(agent, "disconnected", (status) => !status.connected, 10_000);
    const feedStarted = performance.now();
    feeder.start();
    const offline = await waitForAgent(agent, `${READINGS} accepted`, (s) => s.accepted >= READINGS, 120_000);
    const feedMs = performance.now() - feedStarted;
    expect(offline.dropped).toBeGreaterThan(READINGS / 2);
    expect(offline.backlog).toBeLessThan(READINGS / 4);

    const restored = performance.now();
    proxy.restore();
    await waitForAgent(agent, "an empty backlog", (status) => status.backlog === 0, 60_000);
    const drainMs = performance.now() - restored;
    const { dropped } = await agent.status();
    expect(await agent.stop("SIGTERM")).toBe(0);
    // Readings and gap events alike: the embedded broker acks only what the ingest stored.
    const committed = committedSeq(agent.bufferPath);

    const coverage = await expectGapsCoverExactly(ingest, GATEWAY, committed);
    expect(coverage.lost).toBe(dropped);
    expect(coverage.byReason).toBe(`buffer-cap-bytes:${dropped}`);
    report("buffer cap", {
      readings: READINGS,
      maxBytes: MAX_BYTES,
      committedSeqs: committed,
      stored: coverage.stored,
      gapEvents: coverage.gapEvents,
      lost: coverage.lost,
      lostMetric: coverage.lostMetric,
      acceptedWhileCut: perSecond(READINGS, feedMs),
      backlogAtRestore: offline.backlog,
      drainMs: Math.round(drainMs),
    });
  }, 300_000);
});
