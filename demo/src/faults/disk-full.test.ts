import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { FAULT_MODE, figures, perSecond, report } from "./test-support/fault-mode.js";
import { type FaultRig, startFaultRig, waitForAgent } from "./test-support/fault-rig.js";
import { expectGapsCoverExactly } from "./test-support/gap-coverage.js";
import type { AgentStatus } from "./test-support/services.js";
import { committedSeq } from "./test-support/stores.js";
import { canMountTmpfs, mountTmpfs, type Tmpfs } from "./test-support/tmpfs.js";

const READINGS = figures.diskFullReadings;
const GATEWAY = "gw-faults-disk";
/** The buffer's whole file system: its file, WAL and reserve fill it several times over. */
const DISK_BYTES = 4 * 1024 * 1024;
const RESERVE = "256KB";
/** Paced like busy sensors, so each group commit stays small beside the reserve. */
const RATE = 5_000;
const RUNAWAY_LOG = "runaway.log";
const CAN_MOUNT = canMountTmpfs();

if (!CAN_MOUNT) console.log(`[faults:${FAULT_MODE}] disk full: skipped, mounting a tmpfs needs root`);

describe.skipIf(!CAN_MOUNT)(
  "disk full: the agent's buffer sits on a tiny file system while the link is cut",
  () => {
    let disk: Tmpfs;
    let rig: FaultRig;

    beforeAll(async () => {
      disk = mountTmpfs(DISK_BYTES);
      rig = await startFaultRig({
        gateway: GATEWAY,
        feeder: { rate: RATE },
        proxy: {},
        buffer: { path: join(disk.path, "buffer.db"), reserve: RESERVE },
      });
    }, 60_000);

    afterAll(async () => {
      await rig?.close();
      disk?.remove();
    }, 60_000);

    it("stays up and reports, drops the oldest, refuses while a runaway file takes the room, and resumes when link and space return", async () => {
      onTestFailed(() => console.error(rig.logTails()));
      const { agent, feeder, ingest } = rig;
      const proxy = rig.proxy;
      if (proxy === null) throw new Error("this test needs the fault proxy");
      await waitForAgent(agent, "connected", (status) => status.connected, 20_000);
      proxy.cut();
      await waitForAgent(agent, "disconnected", (status) => !status.connected, 10_000);

      // 1. Readings alone fill the disk: the agent drops the oldest (reported) and keeps accepting.
      const pourStarted = performance.now();
      feeder.start();
      const full = await waitForAgent(agent, `${READINGS} accepted`, (s) => s.accepted >= READINGS, 60_000);
      const pourMs = performance.now() - pourStarted;
      expect(full.buffer.diskFullEvents).toBeGreaterThan(0);
      expect(full.dropped).toBeGreaterThan(0);
      expect(full.buffer).toMatchObject({ diskFull: false, refused: 0 });
      expect(await agent.healthy()).toBe(true);

      // 2. A runaway log takes every byte the agent frees: once nothing is left to drop, it refuses.
      let runawayBytes = 0;
      const runaway = setInterval(() => {
        runawayBytes += disk.fill(RUNAWAY_LOG).bytes;
      }, 50);
      let refusing: AgentStatus;
      try {
        refusing = await waitForAgent(
          agent,
          "refusing readings",
          (s) => s.buffer.diskFull && s.buffer.refused > 0,
          30_000,
        );
        expect(await agent.healthy()).toBe(true);
      } finally {
        clearInterval(runaway);
      }

      // 3. Space and link return, with the input quiet: it drains its backlog, then accepts again.
      feeder.pause();
      rmSync(join(disk.path, RUNAWAY_LOG));
      proxy.restore();
      await waitForAgent(agent, "an empty backlog", (status) => status.backlog === 0, 60_000);
      feeder.start();
      await waitForAgent(
        agent,
        "accepting again",
        (s) => !s.buffer.diskFull && s.accepted > refusing.accepted + RATE,
        60_000,
      );
      feeder.pause();
      await waitForAgent(agent, "an empty backlog", (status) => status.backlog === 0, 60_000);
      const last = await agent.status();
      expect(await agent.stop("SIGTERM")).toBe(0);
      const committed = committedSeq(agent.bufferPath);

      const coverage = await expectGapsCoverExactly(ingest, GATEWAY, committed);
      expect(coverage.lost).toBe(last.dropped);
      report("disk full", {
        diskBytes: DISK_BYTES,
        reserve: RESERVE,
        feedRate: `${RATE}/s`,
        acceptedWhileFilling: perSecond(full.accepted, pourMs),
        droppedWhileFilling: full.dropped,
        diskFullEvents: last.buffer.diskFullEvents,
        runawayLogBytes: runawayBytes,
        refused: last.buffer.refused,
        backlogWhenRefusing: refusing.backlog,
        acceptedAfterResume: last.accepted - refusing.accepted,
        reserveAfterResume: String(last.buffer.reserve),
        committedSeqs: committed,
        stored: coverage.stored,
        gapEvents: coverage.gapEvents,
        lost: coverage.lost,
        lostByReason: coverage.byReason,
        lostMetric: coverage.lostMetric,
      });
    }, 300_000);
  },
);
