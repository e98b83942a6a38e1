import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRandom } from "@lotwatch/simulators/random/random.js";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { FAULT_SEED, figures, perSecond, report } from "./test-support/fault-mode.js";
import { type FaultRig, startFaultRig, waitForAgent } from "./test-support/fault-rig.js";
import { createMosquitto, MOSQUITTO_BIN, type Mosquitto } from "./test-support/mosquitto.js";
import { committedSeq, type StoredSeqs, storedSeqList, storedSeqs } from "./test-support/stores.js";

const RESTARTS = figures.brokerRestarts;
const RATE = figures.brokerRate;
const GATEWAY = "gw-faults-broker";
const RUN_BETWEEN_FAULTS_MS = [500, 1_500] as const;
/**
 * The strictest Mosquitto 2.0 persistence: save the in-memory database after every change. It
 * still acks a publish on receipt, before the save (cloud-ingest/README.md, "External broker").
 */
const AUTOSAVE = { autosaveInterval: 1, autosaveOnChanges: true };

/** One restart: what the ingest had stored and the agent had committed when the broker went down. */
interface Fault {
  signal: "SIGTERM" | "SIGKILL";
  storedMax: number;
  committed: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until the ingest stored `count` rows, or until they stop coming for `quietMs`. */
async function storedSettle(
  dbPath: string,
  count: number,
  quietMs: number,
  timeoutMs: number,
): Promise<StoredSeqs> {
  const deadline = Date.now() + timeoutMs;
  let last = storedSeqs(dbPath, GATEWAY);
  let lastChange = Date.now();
  while (last.rows < count && Date.now() - lastChange < quietMs && Date.now() < deadline) {
    await sleep(200);
    const now = storedSeqs(dbPath, GATEWAY);
    if (now.rows !== last.rows) lastChange = Date.now();
    last = now;
  }
  return last;
}

/** Seqs of 1..committed the ingest does not hold. */
function missingSeqs(stored: number[], committed: number): number[] {
  const held = new Set(stored);
  const missing: number[] = [];
  for (let seq = 1; seq <= committed; seq++) if (!held.has(seq)) missing.push(seq);
  return missing;
}

/** `3-5,9` for [3, 4, 5, 9]. */
function ranges(seqs: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < seqs.length; ) {
    let j = i;
    while (j + 1 < seqs.length && seqs[j + 1] === (seqs[j] ?? 0) + 1) j++;
    parts.push(i === j ? `${seqs[i]}` : `${seqs[i]}-${seqs[j]}`);
    i = j + 1;
  }
  return parts.join(",") || "none";
}

describe.skipIf(!existsSync(MOSQUITTO_BIN))(
  "broker restart: a real Mosquitto between agent and ingest goes down mid-stream",
  () => {
    let brokerDir: string;
    let mosquitto: Mosquitto;
    let rig: FaultRig;
    const random = createRandom(FAULT_SEED);

    beforeAll(async () => {
      brokerDir = mkdtempSync(join(tmpdir(), "lotwatch-mosquitto-"));
      mosquitto = await createMosquitto({ dir: brokerDir, ...AUTOSAVE });
      await mosquitto.start();
      rig = await startFaultRig({ gateway: GATEWAY, feeder: { rate: RATE }, broker: mosquitto.url });
    }, 60_000);

    afterAll(async () => {
      await rig?.close();
      await mosquitto?.stop("SIGKILL");
      rmSync(brokerDir, { recursive: true, force: true });
    }, 60_000);

    const dumpLogs = () => {
      const brokerLog = readFileSync(mosquitto.logFile, "utf8").trimEnd().split("\n").slice(-20).join("\n");
      console.error(`seed ${FAULT_SEED}\n${rig.logTails()}\n--- ${mosquitto.logFile}\n${brokerLog}`);
    };

    /** Restarts Mosquitto `RESTARTS` times with `signal` while the feeder pours readings in. */
    async function restarts(signal: Fault["signal"]): Promise<{ faults: Fault[]; meanDownMs: number }> {
      const { agent, ingest } = rig;
      const faults: Fault[] = [];
      let downMs = 0;
      for (let i = 0; i < RESTARTS; i++) {
        await sleep(random.int(...RUN_BETWEEN_FAULTS_MS));
        const down = performance.now();
        const storedMax = storedSeqs(ingest.dbPath, GATEWAY).max ?? 0;
        await mosquitto.stop(signal);
        faults.push({ signal, storedMax, committed: committedSeq(agent.bufferPath) });
        await sleep(random.int(100, 500));
        await mosquitto.start();
        await waitForAgent(agent, "reconnected", (status) => status.connected, 20_000);
        downMs += performance.now() - down;
      }
      await sleep(500);
      rig.feeder.pause();
      await waitForAgent(agent, "an empty backlog", (status) => status.backlog === 0, 60_000);
      return { faults, meanDownMs: Math.round(downMs / RESTARTS) };
    }

    const faultFigure = (faults: Fault[]) =>
      faults.map((f) => `${f.signal}@${f.storedMax}..${f.committed}`).join(",");

    it(`loses nothing over ${RESTARTS} SIGTERM restarts on the same port and persistence file`, async () => {
      onTestFailed(dumpLogs);
      const { agent, feeder, ingest } = rig;
      await waitForAgent(agent, "connected", (status) => status.connected, 20_000);
      const started = performance.now();
      feeder.start();
      const { faults, meanDownMs } = await restarts("SIGTERM");
      const pouring = performance.now() - started;
      // The backlog is empty once Mosquitto acked; the ingest consumes from Mosquitto after that.
      await sleep(300);
      const committed = committedSeq(agent.bufferPath);
      expect(committed).toBeGreaterThan(RATE / 2);
      const stored = await storedSettle(ingest.dbPath, committed, 5_000, 60_000);
      report("broker restart (SIGTERM)", {
        restarts: faults.length,
        seed: FAULT_SEED,
        autosave: `${AUTOSAVE.autosaveInterval}${AUTOSAVE.autosaveOnChanges ? " change(s)" : " s"}`,
        storedAndCommittedAtEachFault: faultFigure(faults),
        committed,
        stored: stored.distinct,
        lost: committed - stored.distinct,
        acceptRate: perSecond(committed, pouring),
        meanDownMs,
      });
      expect(stored).toEqual({ rows: committed, distinct: committed, min: 1, max: committed });
    }, 120_000);

    it(`stores each reading at most once over ${RESTARTS} SIGKILL restarts, losing only what Mosquitto held unsaved`, async () => {
      onTestFailed(dumpLogs);
      const { agent, feeder, ingest } = rig;
      const before = committedSeq(agent.bufferPath);
      feeder.start();
      const { faults, meanDownMs } = await restarts("SIGKILL");
      expect(await agent.stop("SIGTERM")).toBe(0);
      const committed = committedSeq(agent.bufferPath);
      expect(committed).toBeGreaterThan(before);
      const stored = await storedSettle(ingest.dbPath, committed, 5_000, 60_000);
      const missing = missingSeqs(storedSeqList(ingest.dbPath, GATEWAY), committed);
      const gateways = await fetch(`${ingest.httpUrl()}/v1/gateways`).then(
        (response) => response.json() as Promise<{ gateways: { id: string; duplicates: number }[] }>,
      );
      // Mosquitto acks on receipt and saves later: a kill loses what it acked but had not saved,
      // readings between what the ingest had stored and what the agent had committed at the kill.
      const outsideKills = missing.filter(
        (seq) => !faults.some((f) => f.storedMax < seq && seq <= f.committed),
      );
      report("broker restart (SIGKILL)", {
        restarts: faults.length,
        seed: FAULT_SEED,
        autosave: `${AUTOSAVE.autosaveInterval}${AUTOSAVE.autosaveOnChanges ? " change(s)" : " s"}`,
        storedAndCommittedAtEachFault: faultFigure(faults),
        committed,
        stored: stored.distinct,
        lost: missing.length,
        missing: ranges(missing),
        duplicatesAtIngest: gateways.gateways.find((gateway) => gateway.id === GATEWAY)?.duplicates ?? "?",
        meanDownMs,
      });
      expect(stored.rows).toBe(stored.distinct);
      expect(stored.max).toBe(committed);
      expect(ranges(outsideKills)).toBe("none");
    }, 120_000);
  },
);
