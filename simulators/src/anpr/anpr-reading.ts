/** A camera read as the simulator produces it: a vehicle `Reading` of the wire protocol. */
export interface AnprReading {
  type: "vehicle.entry" | "vehicle.exit";
  lane: string;
  plate: string;
  confidence: number;
  occurredAt: string;
}
