import { describe, expect, it } from "vitest";
import { EventSchema, ReadingSchema } from "./events.js";
import { newEventId } from "./ids.js";
import { formatIssues } from "./issues.js";

const base = { id: newEventId(), seq: 1, site: "mall-a", occurredAt: "2026-11-22T09:59:58.010Z" };

function rejection(input: unknown): string {
  const result = EventSchema.safeParse(input);
  if (result.success) throw new Error("expected a rejection");
  return formatIssues(result.error);
}

describe("EventSchema", () => {
  it.each([
    ["vehicle.entry", { plate: "KA01AB1234", confidence: 0.93, lane: "entry-1" }],
    ["vehicle.exit", { plate: "KA01AB1234", lane: "exit-1" }],
    ["door.crossing", { door: "door-1", direction: -1, count: 3 }],
    ["slot.state", { slot: "L1-001", occupied: true }],
    ["gateway.gap", { fromSeq: 10, toSeq: 20, reason: "buffer full" }],
  ])("accepts a valid %s event", (type, fields) => {
    const event = { ...base, type, ...fields, bootId: "b1", uptimeMs: 5, clockSynced: false };
    expect(EventSchema.parse(event)).toEqual(event);
  });

  it("names the unknown type and lists the known ones", () => {
    expect(rejection({ ...base, type: "vehicle.teleport" })).toBe(
      "type: type must be one of vehicle.entry, vehicle.exit, door.crossing, slot.state, gateway.gap",
    );
  });

  it("rejects an id that is not a UUIDv7", () => {
    expect(rejection({ ...base, id: "123", type: "slot.state", slot: "s", occupied: true })).toBe(
      "id: id must be a UUIDv7",
    );
  });

  it("rejects a seq that is zero, negative or fractional", () => {
    for (const seq of [0, -1, 1.5]) {
      expect(rejection({ ...base, seq, type: "slot.state", slot: "s", occupied: true })).toMatch(/^seq: /);
    }
  });

  it("rejects a local time without a zone designator", () => {
    expect(
      rejection({ ...base, occurredAt: "2026-11-22 10:00", type: "slot.state", slot: "s", occupied: true }),
    ).toBe("occurredAt: must be an ISO-8601 UTC time such as 2026-11-22T10:00:00.000Z");
  });

  it("rejects a missing plate and an empty plate with messages naming the plate", () => {
    expect(rejection({ ...base, type: "vehicle.entry", lane: "entry-1" })).toBe(
      "plate: plate must be a string",
    );
    expect(rejection({ ...base, type: "vehicle.entry", lane: "entry-1", plate: "" })).toBe(
      "plate: plate must not be empty",
    );
  });

  it("rejects a door direction other than 1 or -1", () => {
    expect(rejection({ ...base, type: "door.crossing", door: "d", direction: 2 })).toBe(
      "direction: direction must be 1 or -1",
    );
  });

  it("rejects ids that could not be used in an MQTT topic", () => {
    expect(rejection({ ...base, site: "mall/a", type: "slot.state", slot: "s", occupied: true })).toMatch(
      /^site: site id must be 1-64 characters/,
    );
    expect(rejection({ ...base, type: "slot.state", slot: "s#", occupied: true })).toMatch(
      /^slot: slot must be/,
    );
  });

  it("rejects a confidence outside 0..1 and a non-boolean occupied", () => {
    expect(rejection({ ...base, type: "vehicle.exit", lane: "x", plate: "A", confidence: 1.2 })).toMatch(
      /^confidence: /,
    );
    expect(rejection({ ...base, type: "slot.state", slot: "s", occupied: "yes" })).toBe(
      "occupied: occupied must be true or false",
    );
  });

  it("rejects a gap whose range runs backwards", () => {
    expect(rejection({ ...base, type: "gateway.gap", fromSeq: 9, toSeq: 3, reason: "x" })).toBe(
      "toSeq: fromSeq must not be greater than toSeq",
    );
  });
});

describe("ReadingSchema", () => {
  it("accepts the DESIGN.md jsonl examples, with occurredAt optional", () => {
    const lines = [
      '{"type":"vehicle.entry","lane":"entry-1","plate":"KA01AB1234","confidence":0.93,"occurredAt":"2026-11-22T09:59:58.010Z"}',
      '{"type":"door.crossing","door":"door-1","direction":-1}',
      '{"type":"slot.state","slot":"L1-001","occupied":true}',
    ];
    for (const line of lines) expect(ReadingSchema.safeParse(JSON.parse(line)).success).toBe(true);
  });

  it("does not let a sensor send a gap event", () => {
    const result = ReadingSchema.safeParse({ type: "gateway.gap", fromSeq: 1, toSeq: 2, reason: "x" });
    expect(result.success).toBe(false);
    if (!result.success)
      expect(formatIssues(result.error)).toMatch(/^type: type must be one of vehicle.entry/);
  });
});
