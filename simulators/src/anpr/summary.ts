import { normalizePlate } from "@lotwatch/protocol/plate.js";

export interface AnprSummary {
  entries: number;
  exits: number;
  /** Exits whose plate equals the plate of an earlier, still open entry. */
  matchedExits: number;
  /** Exits whose plate matches no open entry: the camera missed or misread it. */
  unmatchedExits: number;
  /** entries − exits: the vehicles inside. */
  expectedCount: number;
}

interface VehicleRead {
  type: string;
  plate?: string;
}

/** Counts reads one at a time, so a writer can summarize an endless stream. */
export interface SummaryCounter {
  add(read: VehicleRead): void;
  result(): AnprSummary;
}

/** Matching by exact normalized plate, as the ingest does before trying fuzzy matches. */
export function createSummaryCounter(): SummaryCounter {
  const open = new Map<string, number>();
  let entries = 0;
  let exits = 0;
  let matchedExits = 0;

  return {
    add(read) {
      if (read.type !== "vehicle.entry" && read.type !== "vehicle.exit") return;
      const plate = normalizePlate(read.plate ?? "");
      const openCount = open.get(plate) ?? 0;
      if (read.type === "vehicle.entry") {
        entries++;
        open.set(plate, openCount + 1);
        return;
      }
      exits++;
      if (openCount === 0) return;
      matchedExits++;
      if (openCount === 1) open.delete(plate);
      else open.set(plate, openCount - 1);
    },
    result() {
      return {
        entries,
        exits,
        matchedExits,
        unmatchedExits: exits - matchedExits,
        expectedCount: entries - exits,
      };
    },
  };
}

export function summarize(reads: Iterable<VehicleRead>): AnprSummary {
  const counter = createSummaryCounter();
  for (const read of reads) counter.add(read);
  return counter.result();
}
