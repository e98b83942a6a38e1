/** A reading a scenario sends: the jsonl/wire reading, without id, seq and site (the agent adds them). */
export type SimReading =
  | {
      type: "vehicle.entry" | "vehicle.exit";
      lane: string;
      plate: string;
      confidence: number;
      occurredAt: string;
    }
  | { type: "door.crossing"; door: string; direction: 1 | -1; count?: number; occurredAt: string };

/** The lane or door a reading comes from: what `--only` selects and what picks a gateway. */
export function sourceOf(reading: SimReading): string {
  return reading.type === "door.crossing" ? reading.door : reading.lane;
}
