import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LotwatchEvent } from "@lotwatch/protocol/events.js";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSilentLogger } from "../logging/create-logger.js";
import { createSqliteStore } from "../store/sqlite/sqlite-store.js";
import type { Store } from "../store/store.js";
import type { SummaryRecord } from "../summaries/summary-record.js";
import { at, T0, testTopology, vehicle } from "../test-support/fixtures.js";
import type { Session } from "./session.js";

const MIN = 60_000;
/** Plates close enough to one another that exact, fuzzy and non-matches all happen. */
const PLATES = ["KA01AB1234", "KA0IAB1234", "KA01A81234", "KA01AB1Z34", "MH12XY0001", "MH12XY0OO1"];
const CONFUSE: Record<string, string> = {
  "0": "O",
  O: "0",
  "1": "I",
  I: "1",
  "8": "B",
  B: "8",
  "2": "Z",
  Z: "2",
};

interface Visit {
  plate: number;
  entryAt: number | null;
  stay: number | null;
  misreadExitAt: number | null;
  doubleEntry: number | null;
  doubleExit: number | null;
}

const visitArb: fc.Arbitrary<Visit> = fc.record({
  plate: fc.nat(PLATES.length - 1),
  entryAt: fc.option(fc.nat(8 * 60), { freq: 6 }),
  stay: fc.option(fc.integer({ min: 0, max: 6 * 60 }), { freq: 4 }),
  misreadExitAt: fc.option(fc.nat(9), { freq: 3 }),
  doubleEntry: fc.option(fc.integer({ min: 1, max: 45 }), { freq: 3 }),
  doubleExit: fc.option(fc.integer({ min: 1, max: 45 }), { freq: 3 }),
});

/** Entries on gw-in, exits on gw-out: misreads, double reads, missed entries and missed exits. */
function scenario(visits: Visit[]): LotwatchEvent[] {
  const events: LotwatchEvent[] = [];
  const seqs = { "gw-in": 0, "gw-out": 0 };
  const add = (kind: "entry" | "exit", plate: string, offset: number) => {
    const gateway = kind === "entry" ? "gw-in" : "gw-out";
    const type = kind === "entry" ? "vehicle.entry" : "vehicle.exit";
    const seq = ++seqs[gateway];
    events.push({ ...vehicle(type, kind === "entry" ? "entry-1" : "exit-1", seq, at(offset), { plate }) });
  };
  for (const visit of visits) {
    const plate = PLATES[visit.plate] as string;
    const entryAt = (visit.entryAt ?? 0) * MIN;
    if (visit.entryAt !== null) {
      add("entry", plate, entryAt);
      if (visit.doubleEntry !== null) add("entry", plate, entryAt + visit.doubleEntry * 1000);
    }
    if (visit.stay === null) continue;
    const exitAt = entryAt + visit.stay * MIN;
    const exitPlate = visit.misreadExitAt === null ? plate : misread(plate, visit.misreadExitAt);
    add("exit", exitPlate, exitAt);
    if (visit.doubleExit !== null) add("exit", exitPlate, exitAt + visit.doubleExit * 1000);
  }
  return events;
}

function misread(plate: string, position: number): string {
  for (let i = 0; i < plate.length; i++) {
    const index = (position + i) % plate.length;
    const swap = CONFUSE[plate[index] as string];
    if (swap !== undefined) return plate.slice(0, index) + swap + plate.slice(index + 1);
  }
  return plate;
}

/** Each event tagged with its gateway, shuffled by the keys, cut into batches, some resent. */
function deliveries(events: LotwatchEvent[], keys: number[], cuts: number[], resend: number[]) {
  const order = events
    .map((event, i) => ({ event, key: keys[i % keys.length] ?? 0, i }))
    .sort((a, b) => a.key - b.key || a.i - b.i)
    .map(({ event }) => event);
  const resent = resend.map((i) => order[i % order.length]).filter((e) => e !== undefined);
  const all = [...order, ...resent];
  const batches: LotwatchEvent[][] = [];
  let start = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    const end = Math.min(all.length, start + 1 + (cut % 4));
    batches.push(all.slice(start, end));
    start = end;
  }
  batches.push(all.slice(start));
  return batches.filter((batch) => batch.length > 0);
}

const gatewayOf = (event: LotwatchEvent) => (event.type === "vehicle.entry" ? "gw-in" : "gw-out");

let dir: string;
let stores = 0;
// Real SQLite files, on tmpfs when there is one: the property opens ~150 stores and every commit
// fsyncs (synchronous = FULL), which on a disk would dominate the run.
beforeAll(() => {
  dir = mkdtempSync(join(existsSync("/dev/shm") ? "/dev/shm" : tmpdir(), "lotwatch-sessions-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function ingest(
  batches: LotwatchEvent[][],
): Promise<{ sessions: Session[]; records: SummaryRecord[] }> {
  const store: Store = createSqliteStore({
    path: join(dir, `run-${++stores}.db`),
    topology: testTopology(),
    logger: createSilentLogger(),
  });
  try {
    for (const batch of batches) {
      // A gateway publishes only its own events; split each batch by gateway.
      for (const gateway of ["gw-in", "gw-out"]) {
        const own = batch.filter((event) => gatewayOf(event) === gateway);
        if (own.length > 0) await store.insertBatch(gateway, own, T0);
      }
    }
    return {
      sessions: (await store.listSessions("mall-a", { limit: 1000 })).sessions,
      records: await store.readOutbox("test", 10_000),
    };
  } finally {
    await store.close();
  }
}

/** What a billing consumer ends with: per session the newest record, corrected ones removed. */
function consumerView(records: SummaryRecord[]): Map<string, SummaryRecord> {
  const view = new Map<string, SummaryRecord>();
  for (const record of records) {
    if (record.corrects !== undefined) {
      for (const [id, held] of view) if (held.recordId === record.corrects) view.delete(id);
    }
    if (record.status === "closed" || record.status === "unmatched") view.set(record.sessionId, record);
    else view.delete(record.sessionId);
  }
  return view;
}

const finished = (sessions: Session[]) =>
  new Map(
    sessions
      .filter((s) => s.status !== "open")
      .map((s) => [
        s.id,
        {
          status: s.status,
          plate: s.plate,
          exitPlate: s.exitPlate,
          entryAt: s.entryAt === null ? null : new Date(s.entryAt).toISOString(),
          exitAt: s.exitAt === null ? null : new Date(s.exitAt).toISOString(),
          durationS: s.durationS,
          fee: s.fee,
          matchedBy: s.matchedBy,
        },
      ]),
  );

const viewed = (view: Map<string, SummaryRecord>) =>
  new Map(
    [...view].map(([id, r]) => [
      id,
      {
        status: r.status,
        plate: r.plate,
        exitPlate: r.exitPlate,
        entryAt: r.entryAt,
        exitAt: r.exitAt,
        durationS: r.durationS,
        fee: r.fee,
        matchedBy: r.matchedBy,
      },
    ]),
  );

describe("sessions are a function of the set of reads", () => {
  it("gives identical sessions for every order and batching, and summaries that add up to them", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(visitArb, { minLength: 1, maxLength: 10 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 40 }),
        fc.array(fc.nat(40), { maxLength: 8 }),
        fc.array(fc.nat(40), { maxLength: 4 }),
        async (visits, keys, cuts, resend) => {
          const events = scenario(visits);
          const reference = await ingest([events]);
          const shuffled = await ingest(deliveries(events, keys, cuts, resend));
          expect(shuffled.sessions).toEqual(reference.sessions);
          expect(viewed(consumerView(shuffled.records))).toEqual(finished(shuffled.sessions));
          expect(viewed(consumerView(reference.records))).toEqual(finished(reference.sessions));
        },
      ),
      { numRuns: 60 },
    );
  });
});
