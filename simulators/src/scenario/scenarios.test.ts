import { confusableKey, differsByOneConfusable, normalizePlate } from "@lotwatch/protocol/plate.js";
import { describe, expect, it } from "vitest";
import { buildScenario, type ScenarioOptions } from "./scenarios.js";
import type { SimReading } from "./sim-read.js";

const DAY = Date.parse("2026-11-21T00:00:00Z");
const mallDay = (overrides: Partial<ScenarioOptions> = {}) =>
  buildScenario({ scenario: "mall-day", seed: 3, startAt: DAY, ...overrides });
const vehicles = (readings: SimReading[]) =>
  readings.filter((r): r is Extract<SimReading, { plate: string }> => r.type !== "door.crossing");

describe("scenarios", () => {
  it("gives the same readings and truth for the same seed, and different ones for another", () => {
    expect(mallDay()).toEqual(mallDay());
    expect(mallDay({ seed: 4 }).readings).not.toEqual(mallDay().readings);
  });

  it("sends a mall day's readings in time order, with an overnight lull, a lunch peak and rush hours", () => {
    const { readings } = mallDay({ vehicles: 4000, people: 0 });
    const times = readings.map((r) => Date.parse(r.occurredAt));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    const entriesIn = (hour: number) =>
      readings.filter((r) => r.type === "vehicle.entry" && new Date(r.occurredAt).getUTCHours() === hour)
        .length;
    expect(entriesIn(3)).toBeLessThan(entriesIn(8) / 10);
    expect(entriesIn(12)).toBeGreaterThan(entriesIn(10));
    expect(entriesIn(17)).toBeGreaterThan(entriesIn(15));
  });

  it("follows the 80/20 exit rule, misreads by one confusable character, and sends double reads", () => {
    const { readings, truth } = mallDay({ vehicles: 2000 });
    const entries = new Set(
      vehicles(readings)
        .filter((r) => r.type === "vehicle.entry")
        .map((r) => r.plate),
    );
    const exits = vehicles(readings).filter((r) => r.type === "vehicle.exit");
    const exact = exits.filter((r) => entries.has(r.plate));
    const misread = exits.filter(
      (r) => !entries.has(r.plate) && [...entries].some((p) => differsByOneConfusable(p, r.plate)),
    );
    const unknown = exits.filter((r) => !entries.has(r.plate) && !misread.includes(r));
    const distinctExits = new Set(exits.map((r) => r.plate)).size;
    expect(unknown.length / distinctExits).toBeCloseTo(0.2, 1);
    expect(misread.length).toBeGreaterThan(0);
    expect(new Set(misread.map((r) => r.plate)).size).toBe(truth.sent.misreadExits);
    expect(new Set(unknown.map((r) => r.plate)).size).toBe(truth.sent.unmatchedExits);
    expect(exact.length + misread.length + unknown.length).toBe(exits.length);
    // Fresh plates never share a confusable key, so a misread can only fuzzy-match its own entry.
    expect(new Set([...entries].map((p) => confusableKey(normalizePlate(p)))).size).toBe(entries.size);
    expect(truth.sent.doubleReads).toBeGreaterThan(0);
    expect(vehicles(readings).length - entries.size - distinctExits).toBe(truth.sent.doubleReads);
  });

  it("ends its truth with the net of every reading, per space", () => {
    const { readings, truth } = mallDay();
    const last = truth.counts.filter((c) => c.at === truth.endAt);
    const net = (type: string, sign: number) => readings.filter((r) => r.type === type).length * sign;
    expect(last.find((c) => c.space === "lot")?.count).toBe(
      net("vehicle.entry", 1) + net("vehicle.exit", -1),
    );
    const people = readings.reduce(
      (sum, r) => (r.type === "door.crossing" ? sum + r.direction * (r.count ?? 1) : sum),
      0,
    );
    expect(last.find((c) => c.space === "lobby")?.count).toBe(people);
    const { open, closed, exact, fuzzy, unmatched } = truth.sessions;
    expect(exact + fuzzy).toBe(closed);
    // One session per vehicle (its entry), open or closed; an unmatched exit is a session of its own.
    const plates = new Set(
      vehicles(readings)
        .filter((r) => r.type === "vehicle.entry")
        .map((r) => r.plate),
    );
    expect(open + closed).toBe(plates.size);
    expect(unmatched).toBe(truth.sent.unmatchedExits);
  });

  it("holds an offline gateway's exit reads back and sends them last, the same set of readings", () => {
    const offline = buildScenario({ scenario: "offline-gateway", seed: 3, startAt: DAY });
    const day = mallDay();
    expect(offline.truth.counts).toEqual(day.truth.counts);
    expect([...offline.readings].sort(byJson)).toEqual([...day.readings].sort(byJson));
    const late = offline.readings.slice(
      offline.readings.findIndex(
        (r, i) => i > 0 && r.occurredAt < (offline.readings[i - 1] as SimReading).occurredAt,
      ),
    );
    expect(late.length).toBeGreaterThan(10);
    for (const reading of late) {
      expect(reading.type).toBe("vehicle.exit");
      expect(new Date(reading.occurredAt).getUTCHours()).toBeGreaterThanOrEqual(10);
      expect(new Date(reading.occurredAt).getUTCHours()).toBeLessThan(14);
    }
  });

  it("lands a burst's arrivals within its window", () => {
    const { readings } = buildScenario({
      scenario: "burst",
      seed: 1,
      startAt: DAY,
      vehicles: 300,
      people: 0,
      doubleReadRate: 0,
    });
    const entries = readings
      .filter((r) => r.type === "vehicle.entry")
      .map((r) => Date.parse(r.occurredAt) - DAY);
    expect(entries).toHaveLength(300);
    expect(Math.min(...entries)).toBeGreaterThanOrEqual(3_600_000);
    expect(Math.max(...entries)).toBeLessThan(3_600_000 + 60_000);
  });

  it("refuses options that make no sense, naming them", () => {
    expect(() => mallDay({ matchRate: 1.5 })).toThrow("matchRate must be in [0, 1], got 1.5");
    expect(() => mallDay({ vehicles: -1 })).toThrow("vehicles must be an integer ≥ 0, got -1");
    expect(() =>
      mallDay({
        shape: { site: "a b", entryLane: "e", exitLane: "x", vehicleSpace: "l", door: "d", peopleSpace: "p" },
      }),
    ).toThrow(/site must be/);
  });
});

function byJson(a: SimReading, b: SimReading): number {
  const x = JSON.stringify(a);
  const y = JSON.stringify(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
