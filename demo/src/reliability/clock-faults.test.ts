import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { type FaultRig, startFaultRig, waitForAgent } from "../faults/test-support/fault-rig.js";
import { report } from "./test-support/reliability-mode.js";

/** Debian's faketime (`apt-get install faketime`): shifts the agent's wall clock, not its monotonic one. */
const LIBFAKETIME = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";
const GATEWAY = "gw-rel-clock";
const RATE = 200;
const PHASE_MS = 2_500;
/** libfaketime rereads its offset file at most once a second (FAKETIME_CACHE_DURATION). */
const CLOCK_SETTLE_TIMEOUT_MS = 10_000;
const TOLERANCE_MS = 2_000;
const H = 3_600_000;

interface Phase {
  name: string;
  /** The agent's wall clock minus the true time, as libfaketime is told. */
  offset: string;
  offsetMs: number;
  /** The NTP "synchronized" file exists in this phase. */
  synced: boolean;
  /** The link is cut during this phase: its readings arrive later, from the backlog. */
  cut: boolean;
}

const PHASES: Phase[] = [
  // Stamped unsynced and sent only after the sync: corrected through uptime, not the wall clock.
  { name: "unsynced, 5 h behind", offset: "-5h", offsetMs: -5 * H, synced: false, cut: true },
  // Backlogs stamped before a step and sent after it: the ingest links each stamp to the uptime it
  // was made at, so a right stamp stays and a stepped one is corrected by what it was off then.
  { name: "synced", offset: "+0", offsetMs: 0, synced: true, cut: true },
  { name: "stepped +2 h", offset: "+2h", offsetMs: 2 * H, synced: true, cut: true },
  { name: "stepped -2 h", offset: "-2h", offsetMs: -2 * H, synced: true, cut: false },
  { name: "back in step", offset: "+0", offsetMs: 0, synced: true, cut: false },
];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits until the agent's own clock shows the offset: Node's HTTP server stamps each answer's
 * `Date` header (whole seconds) from the process clock, which libfaketime shifts.
 */
async function clockReads(agentUrl: string, offsetMs: number): Promise<void> {
  const deadline = Date.now() + CLOCK_SETTLE_TIMEOUT_MS;
  let seen = "no answer";
  while (Date.now() < deadline) {
    const response = await fetch(`${agentUrl}/healthz`);
    await response.body?.cancel();
    seen = response.headers.get("date") ?? "no Date header";
    if (Math.abs(Date.parse(seen) - (Date.now() + offsetMs)) < 2_500) {
      // One more second: the stamps of the next readings come after the header's clock did.
      await sleep(1_000);
      return;
    }
    await sleep(100);
  }
  throw new Error(`the agent's clock did not move to offset ${offsetMs} ms; its last Date header: ${seen}`);
}

describe.skipIf(!existsSync(LIBFAKETIME))(
  "clock faults: the agent's wall clock is wrong, then stepped",
  () => {
    let rig: FaultRig;
    let clockDir: string;
    const offsetFile = () => join(clockDir, "faketime-offset");
    const syncFile = () => join(clockDir, "clock-synced");

    beforeAll(async () => {
      if (!existsSync(LIBFAKETIME)) {
        throw new Error(
          `${LIBFAKETIME} is missing: this test needs Debian's faketime (apt-get install -y faketime)`,
        );
      }
      clockDir = mkdtempSync(join(tmpdir(), "lotwatch-clock-"));
      // Read by libfaketime at the agent's first clock call, and again at most once a second.
      writeFileSync(offsetFile(), PHASES[0]?.offset ?? "+0");
      rig = await startFaultRig({
        gateway: GATEWAY,
        feeder: { rate: RATE },
        proxy: {},
        clock: { syncCheck: "auto", syncFile: syncFile() },
        agentEnv: {
          LD_PRELOAD: LIBFAKETIME,
          FAKETIME_TIMESTAMP_FILE: offsetFile(),
          FAKETIME_CACHE_DURATION: "1",
          // uptimeMs, the anchor of the ingest's correction, comes from the monotonic clock.
          FAKETIME_DONT_FAKE_MONOTONIC: "1",
        },
      });
    }, 60_000);

    afterAll(async () => {
      await rig?.close();
      rmSync(clockDir, { recursive: true, force: true });
    }, 60_000);

    it("stores every reading within 2 s of its true time and flags those stamped before the sync", async () => {
      onTestFailed(() => console.error(rig.logTails()));
      const { agent, feeder, ingest } = rig;
      const proxy = rig.proxy;
      if (proxy === null) throw new Error("this test needs the fault proxy");
      await waitForAgent(agent, "connected", (status) => status.connected, 20_000);

      const windows: { phase: Phase; fromSeq: number; toSeq: number; start: number; end: number }[] = [];
      let accepted = 0;
      for (const phase of PHASES) {
        writeFileSync(offsetFile(), phase.offset);
        if (phase.synced) writeFileSync(syncFile(), "");
        if (phase.cut) proxy.cut();
        else proxy.restore();
        await clockReads(agent.httpUrl(), phase.offsetMs);
        const start = Date.now();
        feeder.start();
        await sleep(PHASE_MS);
        feeder.pause();
        // Lines still in the socket are taken in the next few ms: the window ends when they are.
        await sleep(200);
        const end = Date.now();
        const settled = (await agent.status()).accepted;
        expect(settled, `${phase.name}: readings accepted`).toBeGreaterThan(accepted);
        windows.push({ phase, fromSeq: accepted + 1, toSeq: settled, start, end });
        accepted = settled;
      }
      proxy.restore();
      await waitForAgent(
        agent,
        "an empty backlog",
        (status) => status.connected && status.backlog === 0,
        60_000,
      );

      const db = new Database(ingest.dbPath, { readonly: true });
      const rows = db
        .prepare(
          `SELECT seq, t, occurred_at AS occurredAt, received_at AS receivedAt,
                json_extract(body, '$.clockSynced') AS clockSynced
         FROM events WHERE gateway = ? AND type = 'door.crossing' ORDER BY seq`,
        )
        .all(GATEWAY) as {
        seq: number;
        t: number;
        occurredAt: number;
        receivedAt: number;
        clockSynced: number | null;
      }[];
      db.close();
      expect(rows).toHaveLength(accepted);

      const figures: Record<string, string> = {};
      for (const { phase, fromSeq, toSeq, start, end } of windows) {
        const inPhase = rows.filter((row) => row.seq >= fromSeq && row.seq <= toSeq);
        const outside = inPhase.filter((row) => row.t < start - TOLERANCE_MS || row.t > end + TOLERANCE_MS);
        expect(outside.slice(0, 3), `${phase.name}: corrected times outside the phase ± 2 s`).toEqual([]);
        // The fault was real: the agent stamped the shifted clock.
        const rawError = inPhase.map((row) => row.occurredAt - row.t);
        const meanRawError = rawError.reduce((sum, value) => sum + value, 0) / rawError.length;
        expect(Math.abs(meanRawError - phase.offsetMs)).toBeLessThan(TOLERANCE_MS);
        const flagged = inPhase.filter((row) => row.clockSynced === 0).length;
        expect(flagged, `${phase.name}: readings flagged clockSynced:false`).toBe(
          phase.synced ? 0 : inPhase.length,
        );
        const worst = Math.max(...inPhase.map((row) => Math.max(start - row.t, row.t - end, 0)));
        const lateMs = Math.max(...inPhase.map((row) => row.receivedAt - row.t));
        figures[phase.name.replace(/[^a-z0-9+-]+/gi, "_")] =
          `${inPhase.length}readings,stampedOff=${Math.round(meanRawError / 1000)}s,worstOutsideWindow=${worst}ms,maxArrivalDelay=${lateMs}ms`;
      }
      report("clock faults", figures);
    }, 180_000);
  },
);
