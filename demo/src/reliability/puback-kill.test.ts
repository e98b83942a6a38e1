import { createRandom } from "@lotwatch/simulators/random/random.js";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { type FaultRig, startFaultRig, waitForAgent } from "../faults/test-support/fault-rig.js";
import { committedSeq, storedSeqList, storedSeqs } from "../faults/test-support/stores.js";
import { figures, RELIABILITY_SEED, report } from "./test-support/reliability-mode.js";

const KILLS = figures.pubackKills;
const RATE = figures.pubackRate;
const GATEWAY = "gw-rel-puback";
/** How long the ingest takes messages between its start and the next kill. */
const RUN_BETWEEN_KILLS_MS = [150, 900] as const;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What the agent's buffer says at one moment: the highest seq handed out and those not yet acked. */
function agentView(bufferPath: string): { maxSeq: number; pending: Set<number> } {
  const db = new Database(bufferPath, { readonly: true, fileMustExist: true });
  try {
    const maxSeq = db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'pending'").pluck().get() as
      | number
      | undefined;
    const pending = db.prepare("SELECT seq FROM pending").pluck().all() as number[];
    return { maxSeq: maxSeq ?? 0, pending: new Set(pending) };
  } finally {
    db.close();
  }
}

describe("PUBACK means stored: the ingest is SIGKILLed while commits are in flight", () => {
  let rig: FaultRig;

  beforeAll(async () => {
    // Small envelopes: more PUBLISH/commit/PUBACK cycles per second, so a kill lands inside one.
    rig = await startFaultRig({ gateway: GATEWAY, feeder: { rate: RATE }, forward: { batchMaxEvents: 50 } });
  }, 60_000);

  afterAll(async () => {
    await rig?.close();
  }, 60_000);

  it(`every seq the agent saw acked is in the store after each of ${KILLS} kills`, async () => {
    onTestFailed(() => console.error(`seed ${RELIABILITY_SEED}\n${rig.logTails()}`));
    const { agent, feeder, ingest } = rig;
    const random = createRandom(RELIABILITY_SEED);
    await waitForAgent(agent, "connected", (status) => status.connected, 20_000);
    feeder.start();
    let ackedChecked = 0;
    /** Kills that found seqs stored but not yet acked: the kill fell between commit and PUBACK. */
    let killsInWindow = 0;
    let unackedStored = 0;
    for (let kill = 0; kill < KILLS; kill++) {
      await sleep(random.int(...RUN_BETWEEN_KILLS_MS));
      await ingest.stop("SIGKILL");
      // The ingest is dead: no PUBACK can come any more, so every row the agent deleted was acked.
      const { maxSeq, pending } = agentView(agent.bufferPath);
      const stored = new Set(storedSeqList(ingest.dbPath, GATEWAY));
      const ackedNotStored: number[] = [];
      let storedUnacked = 0;
      for (let seq = 1; seq <= maxSeq; seq++) {
        if (pending.has(seq)) {
          if (stored.has(seq)) storedUnacked++;
        } else if (!stored.has(seq)) ackedNotStored.push(seq);
      }
      expect(ackedNotStored.slice(0, 10), `kill ${kill + 1}: acked but not stored`).toEqual([]);
      ackedChecked = maxSeq - pending.size;
      if (storedUnacked > 0) killsInWindow++;
      unackedStored += storedUnacked;
      await ingest.start();
    }
    feeder.pause();
    await waitForAgent(
      agent,
      "an empty backlog",
      (status) => status.connected && status.backlog === 0,
      60_000,
    );
    expect(await agent.stop("SIGTERM")).toBe(0);
    const committed = committedSeq(agent.bufferPath);
    expect(storedSeqs(ingest.dbPath, GATEWAY)).toEqual({
      rows: committed,
      distinct: committed,
      min: 1,
      max: committed,
    });
    // How many kills fell between a commit and its PUBACK is chance, reported not asserted: with
    // group commit the PUBACK follows its commit within microseconds, and 24 quick kills in one CI
    // run hit none (the long run's 100 kills hit 70 before group commit).
    report("puback kill", {
      kills: KILLS,
      seed: RELIABILITY_SEED,
      killsBetweenCommitAndPuback: killsInWindow,
      storedButUnackedAtKills: unackedStored,
      ackedAtLastKill: ackedChecked,
      committed,
    });
  }, 600_000);
});
