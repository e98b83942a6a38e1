import { describe, expect, it } from "vitest";
import { matchSessions } from "./match-sessions.js";
import type { VehicleRead } from "./session.js";

const MIN = 60_000;
let nextSeq = 1;
const read = (kind: "entry" | "exit", plate: string, at: number, extra: Partial<VehicleRead> = {}) =>
  ({
    kind,
    plate,
    at,
    gateway: "gw-1",
    seq: nextSeq++,
    lane: kind === "entry" ? "entry-1" : "exit-1",
    ...extra,
  }) satisfies VehicleRead;
const entry = (plate: string, at: number, extra?: Partial<VehicleRead>) => read("entry", plate, at, extra);
const exit = (plate: string, at: number, extra?: Partial<VehicleRead>) => read("exit", plate, at, extra);

const summary = (reads: VehicleRead[], debounceMs?: number) =>
  matchSessions(reads, debounceMs === undefined ? {} : { debounceMs }).sessions.map((s) => ({
    id: s.id,
    status: s.status,
    plate: s.plate,
    exitPlate: s.exitPlate,
    matchedBy: s.matchedBy,
  }));

describe("matchSessions", () => {
  it("closes an entry with the exit of the same normalized plate (exact)", () => {
    const reads = [entry("ka-01 ab 1234", 0), exit("KA01AB1234", 90 * MIN)];
    const [session] = matchSessions(reads).sessions;
    expect(session).toMatchObject({
      id: `gw-1:${reads[0]?.seq}`,
      status: "closed",
      plate: "KA01AB1234",
      exitPlate: "KA01AB1234",
      entryAt: 0,
      exitAt: 90 * MIN,
      entry: { gateway: "gw-1", seq: reads[0]?.seq, lane: "entry-1" },
      exit: { gateway: "gw-1", seq: reads[1]?.seq, lane: "exit-1" },
      matchedBy: "exact",
    });
  });

  it("matches an exit that differs by one confusable character (fuzzy)", () => {
    expect(summary([entry("KA01AB1234", 0), exit("KA0IAB1234", MIN)])).toEqual([
      expect.objectContaining({
        status: "closed",
        plate: "KA01AB1234",
        exitPlate: "KA0IAB1234",
        matchedBy: "fuzzy",
      }),
    ]);
  });

  it("prefers an exact match over a fuzzy one, even an older one", () => {
    const exact = entry("KA01AB1234", 0);
    const fuzzy = entry("KA01AB1Z34", MIN);
    const sessions = summary([exact, fuzzy, exit("KA01AB1234", 2 * MIN)]);
    expect(sessions).toEqual([
      expect.objectContaining({ id: `gw-1:${exact.seq}`, status: "closed", matchedBy: "exact" }),
      expect.objectContaining({ id: `gw-1:${fuzzy.seq}`, status: "open" }),
    ]);
  });

  it("does not fuzzy-match plates that differ in two places or by a non-confusable character", () => {
    const sessions = summary([entry("KA01AB1234", 0), exit("KA0IA81234", MIN), exit("KA01AB1235", 2 * MIN)]);
    expect(sessions.map((s) => s.status)).toEqual(["open", "unmatched", "unmatched"]);
  });

  it("records an exit that matches nothing as an unmatched exit with the exit's id", () => {
    const lonely = exit("MH12XY0001", 5 * MIN);
    expect(summary([lonely])).toEqual([
      {
        id: `gw-1:${lonely.seq}`,
        status: "unmatched",
        plate: "MH12XY0001",
        exitPlate: "MH12XY0001",
        matchedBy: null,
      },
    ]);
  });

  it("treats an exit before the entry as unmatched and leaves the entry open", () => {
    const sessions = summary([entry("KA01AB1234", 10 * MIN), exit("KA01AB1234", 5 * MIN)]);
    expect(sessions.map((s) => s.status)).toEqual(["unmatched", "open"]);
  });

  it("does not match an entry stamped at the same millisecond as the exit", () => {
    expect(summary([entry("KA01AB1234", MIN), exit("KA01AB1234", MIN)]).map((s) => s.status)).toEqual([
      "open",
      "unmatched",
    ]);
  });

  it("debounces repeated reads on one lane within the window, keeping the earliest", () => {
    const first = entry("KA01AB1234", 0);
    const reads = [
      first,
      entry("KA01AB1234", 10_000),
      entry("KA01AB1234", 35_000),
      exit("KA01AB1234", 60 * MIN),
    ];
    const result = matchSessions(reads);
    expect(result.sessions).toHaveLength(1);
    expect(result.sessions[0]).toMatchObject({ id: `gw-1:${first.seq}`, status: "closed" });
    // A burst chains: 35 s is within 30 s of the read at 10 s.
    expect([...result.repeats.values()]).toEqual([`gw-1:${first.seq}`, `gw-1:${first.seq}`]);
  });

  it("keeps reads further apart than the window, and reads on another lane", () => {
    const sessions = summary([
      entry("KA01AB1234", 0),
      entry("KA01AB1234", 31_000),
      entry("KA01AB1234", 32_000, { lane: "entry-2" }),
    ]);
    expect(sessions).toHaveLength(3);
  });

  it("honours a custom debounce window", () => {
    expect(summary([entry("KA01AB1234", 0), entry("KA01AB1234", 50_000)], 60_000)).toHaveLength(1);
  });

  it("opens a new session on re-entry after an exit", () => {
    const sessions = summary([
      entry("KA01AB1234", 0),
      exit("KA01AB1234", 30 * MIN),
      entry("KA01AB1234", 60 * MIN),
      exit("KA01AB1234", 120 * MIN),
      entry("KA01AB1234", 180 * MIN),
    ]);
    expect(sessions.map((s) => s.status)).toEqual(["closed", "closed", "open"]);
  });

  it("closes the latest open session of the plate when an exit was missed", () => {
    const older = entry("KA01AB1234", 0);
    const newer = entry("KA01AB1234", 60 * MIN);
    const sessions = summary([older, newer, exit("KA01AB1234", 90 * MIN)]);
    expect(sessions).toEqual([
      expect.objectContaining({ id: `gw-1:${older.seq}`, status: "open" }),
      expect.objectContaining({ id: `gw-1:${newer.seq}`, status: "closed" }),
    ]);
  });

  it("gives the same sessions for any input order, breaking time ties by gateway and seq", () => {
    const reads = [
      entry("KA01AB1234", 0, { gateway: "gw-b" }),
      entry("KA01AB1234", 0, { gateway: "gw-a", lane: "entry-2" }),
      exit("KA01AB1234", MIN),
      exit("KA0IAB1234", 2 * MIN),
    ];
    const forward = matchSessions(reads).sessions;
    expect(matchSessions([...reads].reverse()).sessions).toEqual(forward);
    expect(forward.map((s) => [s.entry?.gateway, s.matchedBy])).toEqual([
      ["gw-a", "fuzzy"],
      ["gw-b", "exact"],
    ]);
  });
});
