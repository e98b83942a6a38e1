import type { SimReading } from "./sim-read.js";
import type { SiteShape } from "./site-shape.js";

/** What the ingest must answer after a scenario, written as JSON for `lotwatch-sim compare`. */
export interface GroundTruth {
  version: 1;
  scenario: string;
  seed: number;
  site: string;
  startAt: string;
  endAt: string;
  /** Readings the whole scenario sends, by kind (over every gateway). */
  sent: {
    readings: number;
    entries: number;
    exits: number;
    doubleReads: number;
    misreadExits: number;
    unmatchedExits: number;
    doorCrossings: number;
  };
  /**
   * `count(space, at)` as the ingest computes it: a double read (the same plate on the same lane
   * within 30 s of its previous read) is one read, for counts as for sessions.
   */
  counts: { space: string; at: string; count: number }[];
  sessions: { open: number; closed: number; exact: number; fuzzy: number; unmatched: number };
}

export type SessionTruth = GroundTruth["sessions"];

/** The ingest's default debounce of repeated reads (DESIGN.md "Sessions"). */
const REPEAT_WINDOW_MS = 30_000;

/** Counts at each `at`: the net of the readings that occurred at or before it (the ingest's `t ≤ T`). */
export function countsAt(
  readings: readonly SimReading[],
  shape: SiteShape,
  times: readonly number[],
): GroundTruth["counts"] {
  const timed = readings
    .map((reading) => ({ reading, at: Date.parse(reading.occurredAt) }))
    .sort((a, b) => a.at - b.at);
  const lastRead = new Map<string, number>();
  const moves = timed
    .filter(({ reading, at }) => {
      if (reading.type === "door.crossing") return true;
      const key = `${reading.type}\u0000${reading.lane}\u0000${reading.plate}`;
      const previous = lastRead.get(key);
      lastRead.set(key, at);
      return previous === undefined || at - previous > REPEAT_WINDOW_MS;
    })
    .map(({ reading, at }) => ({ at, ...deltaOf(reading, shape) }));
  const counts: GroundTruth["counts"] = [];
  let index = 0;
  const net = { vehicles: 0, people: 0 };
  for (const time of [...times].sort((a, b) => a - b)) {
    while (index < moves.length && (moves[index] as (typeof moves)[number]).at <= time) {
      const move = moves[index++] as (typeof moves)[number];
      net.vehicles += move.vehicles;
      net.people += move.people;
    }
    const at = new Date(time).toISOString();
    counts.push({ space: shape.vehicleSpace, at, count: net.vehicles });
    counts.push({ space: shape.peopleSpace, at, count: net.people });
  }
  return counts;
}

function deltaOf(reading: SimReading, shape: SiteShape): { vehicles: number; people: number } {
  switch (reading.type) {
    case "vehicle.entry":
      return { vehicles: reading.lane === shape.entryLane ? 1 : 0, people: 0 };
    case "vehicle.exit":
      return { vehicles: reading.lane === shape.exitLane ? -1 : 0, people: 0 };
    case "door.crossing":
      return {
        vehicles: 0,
        people: reading.door === shape.door ? reading.direction * (reading.count ?? 1) : 0,
      };
  }
}
