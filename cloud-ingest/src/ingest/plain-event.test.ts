import { EventSchema } from "@lotwatch/protocol/events.js";
import { describe, expect, it } from "vitest";
import { plainEvent } from "./plain-event.js";

const base = {
  id: "019a8b7c-1234-7abc-8def-0123456789ab",
  seq: 7,
  site: "mall-a",
  occurredAt: "2026-11-22T10:00:00.120Z",
};
const valid: Record<string, unknown>[] = [
  { type: "door.crossing", ...base, door: "door-1", direction: 1 },
  { type: "door.crossing", ...base, door: "d", direction: -1, count: 10_000, uptimeMs: 0 },
  { direction: 1, door: "door-1", ...base, type: "door.crossing", extra: "dropped", bootId: "b" },
  { type: "vehicle.entry", ...base, plate: "KA01AB1234567890", lane: "gate-in", confidence: 1 },
  { type: "vehicle.exit", ...base, plate: "K", lane: "gate-out", confidence: 0, clockSynced: false },
  { type: "slot.state", ...base, slot: "x1", occupied: false, bootId: "b".repeat(64) },
  { type: "slot.state", ...base, occurredAt: "2028-02-29T23:59:59Z", slot: "x1", occupied: true },
  { type: "door.crossing", ...base, seq: Number.MAX_SAFE_INTEGER, door: "door-1", direction: 1 },
];
const invalid: unknown[] = [
  null,
  [],
  "door.crossing",
  { type: "gateway.gap", ...base, fromSeq: 1, toSeq: 2, reason: "lost" },
  { type: "door.crossing", ...base, door: "door-1", direction: 0 },
  { type: "door.crossing", ...base, door: "door-1", direction: 1, count: 10_001 },
  { type: "door.crossing", ...base, door: "door-1", direction: 1, count: 1.5 },
  { type: "door.crossing", ...base, door: "door/1", direction: 1 },
  { type: "door.crossing", ...base, door: "door-1", direction: 1, uptimeMs: -1 },
  { type: "door.crossing", ...base, door: "door-1", direction: 1, bootId: "" },
  { type: "door.crossing", ...base, door: "door-1", direction: 1, bootId: "b".repeat(65) },
  { type: "door.crossing", ...base, door: "door-1", direction: 1, clockSynced: null },
  { type: "door.crossing", ...base, door: "door-1", direction: 1, count: undefined },
  { type: "door.crossing", ...base, seq: 0, door: "door-1", direction: 1 },
  { type: "door.crossing", ...base, seq: 2 ** 53, door: "door-1", direction: 1 },
  { type: "door.crossing", ...base, id: "019a8b7c-1234-4abc-8def-0123456789ab", door: "d", direction: 1 },
  { type: "door.crossing", ...base, occurredAt: "2026-02-29T10:00:00Z", door: "d", direction: 1 },
  { type: "door.crossing", ...base, occurredAt: "2026-11-22T10:00:00+01:00", door: "d", direction: 1 },
  { type: "vehicle.entry", ...base, plate: "", lane: "gate-in" },
  { type: "vehicle.entry", ...base, plate: "KA01AB12345678901", lane: "gate-in" },
  { type: "vehicle.entry", ...base, plate: "KA01", lane: "gate-in", confidence: 1.01 },
  { type: "vehicle.entry", ...base, plate: "KA01", lane: "gate-in", confidence: "1" },
  { type: "slot.state", ...base, slot: "x1", occupied: "yes" },
  { type: "slot.state", ...base, site: 7, slot: "x1", occupied: true },
  { type: "car.parked", ...base },
];

describe("events checked without zod", () => {
  it("gives exactly EventSchema's result, key order included, for plainly valid events", () => {
    for (const candidate of valid) {
      const parsed = EventSchema.parse(candidate);
      const plain = plainEvent(candidate);
      expect(plain).toEqual(parsed);
      expect(JSON.stringify(plain)).toBe(JSON.stringify(parsed));
    }
  });

  it("leaves every invalid or unusual event to EventSchema, which words the error", () => {
    expect(invalid.filter((candidate) => plainEvent(candidate) !== undefined)).toEqual([]);
  });
});
