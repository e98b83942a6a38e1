import { closeSync, openSync, readdirSync, statSync, writeSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { type FaultRig, startFaultRig, waitForAgent } from "../faults/test-support/fault-rig.js";
import { committedSeq } from "../faults/test-support/stores.js";
import { expectEverySeqAccountedFor } from "./test-support/accounting.js";
import { figures, report } from "./test-support/reliability-mode.js";

const GATEWAY = "gw-rel-corrupt";
const ACKED = 1_000;
const PENDING = figures.corruptPending;

describe("corrupted buffer: bytes of the agent's SQLite file are overwritten while it is stopped", () => {
  let rig: FaultRig;

  beforeAll(async () => {
    rig = await startFaultRig({
      gateway: GATEWAY,
      feeder: { rate: 5_000, limit: ACKED + PENDING },
      proxy: {},
    });
  }, 60_000);

  afterAll(async () => {
    await rig?.close();
  }, 60_000);

  it("moves the file aside, starts a fresh buffer within seconds and reports the pending seqs as a gap", async () => {
    onTestFailed(() => console.error(rig.logTails()));
    const { agent, feeder, ingest } = rig;
    const proxy = rig.proxy;
    if (proxy === null) throw new Error("this test needs the fault proxy");
    await waitForAgent(agent, "connected", (status) => status.connected, 20_000);
    feeder.start();
    await waitForAgent(agent, `${ACKED} readings`, (status) => status.accepted >= ACKED, 30_000);
    proxy.cut();
    await waitForAgent(agent, "every reading", (status) => status.accepted >= ACKED + PENDING, 60_000);
    const before = await agent.status();
    expect(await agent.stop("SIGTERM")).toBe(0);
    const lastSeqBefore = committedSeq(agent.bufferPath);

    // Garbage over a run of pages in the middle of the file: header and schema stay readable.
    const size = statSync(agent.bufferPath).size;
    const fd = openSync(agent.bufferPath, "r+");
    writeSync(fd, Buffer.alloc(32 * 1024, 0xa5), 0, 32 * 1024, Math.floor(size / 2 / 4096) * 4096);
    closeSync(fd);

    const restart = performance.now();
    await agent.start();
    const recoveryMs = Math.round(performance.now() - restart);
    expect(recoveryMs).toBeLessThan(10_000);
    const asideName = readdirSync(rig.dir).find((name) => name.startsWith("agent-buffer.db.corrupt-"));
    expect(asideName, "the damaged file is kept beside the buffer").toBeDefined();
    proxy.restore();
    await waitForAgent(
      agent,
      "an empty backlog",
      (status) => status.connected && status.backlog === 0,
      60_000,
    );
    expect(await agent.stop("SIGTERM")).toBe(0);
    const committed = committedSeq(agent.bufferPath);
    // The fresh buffer's first seq is the gap event, right after the last seq of the damaged file.
    expect(committed).toBe(lastSeqBefore + 1);

    const accounting = await expectEverySeqAccountedFor(ingest, GATEWAY, committed);
    expect(accounting.gapReasons).toEqual(["buffer-corrupt"]);
    expect(accounting.lost).toBeGreaterThan(0);
    report("corrupt buffer", {
      fileBytes: size,
      pendingAtStop: before.backlog,
      recoveryMs,
      stored: accounting.stored,
      lostReported: accounting.lost,
      arrivedAnyway: accounting.arrived,
    });
  }, 180_000);
});
