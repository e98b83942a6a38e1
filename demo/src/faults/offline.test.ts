import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { figures, perSecond, report } from "./test-support/fault-mode.js";
import { type FaultRig, startFaultRig, waitForAgent } from "./test-support/fault-rig.js";
import { outOfOrderSeqs, storedSeqs } from "./test-support/stores.js";

const READINGS = figures.offlineReadings;
const GATEWAY = "gw-faults-offline";

describe("offline: the link to the broker is cut while readings pour in", () => {
  let rig: FaultRig;

  beforeAll(async () => {
    rig = await startFaultRig({ gateway: GATEWAY, feeder: { rate: 0, limit: READINGS }, proxy: {} });
  }, 60_000);

  afterAll(async () => {
    await rig?.close();
  }, 60_000);

  it(`delivers all ${READINGS} readings taken while offline, once each and in seq order`, async () => {
    onTestFailed(() => console.error(rig.logTails()));
    const { agent, feeder, ingest } = rig;
    const proxy = rig.proxy;
    if (proxy === null) throw new Error("this test needs the fault proxy");
    await waitForAgent(agent, "connected", (status) => status.connected, 20_000);

    proxy.cut();
    await waitForAgent(agent, "disconnected", (status) => !status.connected, 10_000);
    const feedStarted = performance.now();
    feeder.start();
    const offline = await waitForAgent(agent, `${READINGS} accepted`, (s) => s.accepted >= READINGS, 120_000);
    const feedMs = performance.now() - feedStarted;
    expect(offline).toMatchObject({ connected: false, accepted: READINGS, backlog: READINGS, malformed: 0 });
    expect(storedSeqs(ingest.dbPath, GATEWAY).rows).toBe(0);

    const restored = performance.now();
    proxy.restore();
    await waitForAgent(agent, "an empty backlog", (status) => status.backlog === 0, 120_000);
    const drainMs = performance.now() - restored;

    expect(storedSeqs(ingest.dbPath, GATEWAY)).toEqual({
      rows: READINGS,
      distinct: READINGS,
      min: 1,
      max: READINGS,
    });
    expect(outOfOrderSeqs(ingest.dbPath, GATEWAY)).toBe(0);
    report("offline", {
      readings: READINGS,
      acceptedWhileCut: perSecond(READINGS, feedMs),
      drainAfterRestore: perSecond(READINGS, drainMs),
      drainMs: Math.round(drainMs),
      refusedReconnects: proxy.stats().refusedConnections,
    });
  }, 300_000);
});
