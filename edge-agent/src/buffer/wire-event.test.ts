import type { Reading } from "@lotwatch/protocol/events.js";
import { describe, expect, it } from "vitest";
import { type StoredEvent, toGapEvent, toStoredEvents, toWireJson } from "./wire-event.js";

const stamp = { site: "mall-a", uptimeMs: 1234, receivedAt: new Date("2026-11-22T10:00:00.000Z") };

function stampOne(reading: Reading): StoredEvent {
  const [event, ...more] = toStoredEvents([reading], { ...stamp, clockSynced: false });
  if (event === undefined || more.length > 0) throw new Error("expected one stored event per reading");
  return event;
}

describe("toStoredEvents", () => {
  it("stores the reading's fields after the agent's, and no gateway clock state on a device's own stamp", () => {
    const reading: Reading = {
      type: "vehicle.entry",
      occurredAt: "2026-11-22T09:59:59.500Z",
      lane: "entry-1",
      plate: 'AB"12\\3',
      confidence: 0.93,
    };
    const event = stampOne(reading);
    expect(JSON.parse(event.body)).toEqual({
      id: event.id,
      type: "vehicle.entry",
      site: "mall-a",
      occurredAt: "2026-11-22T09:59:59.500Z",
      lane: "entry-1",
      plate: 'AB"12\\3',
      confidence: 0.93,
    });
    expect(event).toMatchObject({ type: "vehicle.entry", occurredAt: "2026-11-22T09:59:59.500Z" });
  });

  it("stamps the reception time when the reading has none, and leaves out undefined fields", () => {
    const reading = { type: "door.crossing", door: "d-1", direction: -1, count: undefined } as Reading;
    const event = stampOne(reading);
    expect(event.body).not.toContain("count");
    expect(JSON.parse(event.body)).toEqual({
      id: event.id,
      type: "door.crossing",
      site: "mall-a",
      occurredAt: "2026-11-22T10:00:00.000Z",
      uptimeMs: 1234,
      clockSynced: false,
      door: "d-1",
      direction: -1,
    });
  });

  it("gives each body's size in UTF-8 bytes, not in characters", () => {
    const event = stampOne({ type: "vehicle.entry", lane: "entry-1", plate: "MÜ1234", confidence: 0.9 });
    expect(event.bodyBytes).toBe(event.body.length + 1);
  });

  it("stamps every reading of an accept with its own id and the same reception time", () => {
    const crossing = { type: "door.crossing", door: "d-1", direction: 1 } as const;
    const own: Reading = { ...crossing, occurredAt: "2026-11-22T09:00:00.000Z" };
    const events = toStoredEvents([crossing, own, crossing], stamp);
    expect(events.map((event) => event.occurredAt)).toEqual([
      "2026-11-22T10:00:00.000Z",
      "2026-11-22T09:00:00.000Z",
      "2026-11-22T10:00:00.000Z",
    ]);
    expect(new Set(events.map((event) => event.id)).size).toBe(3);
    expect(JSON.parse((events[1] as StoredEvent).body)).not.toHaveProperty("uptimeMs");
  });
});

describe("toWireJson", () => {
  it("splices seq in, and the stamping boot only when it is not the sender's", () => {
    const gap = toGapEvent({ fromSeq: 3, toSeq: 9 }, "buffer-cap-bytes", stamp);
    const same = JSON.parse(toWireJson(12, gap.body, "boot-a", "boot-a"));
    expect(same).toMatchObject({
      seq: 12,
      type: "gateway.gap",
      fromSeq: 3,
      toSeq: 9,
      reason: "buffer-cap-bytes",
    });
    expect(same).not.toHaveProperty("bootId");
    expect(JSON.parse(toWireJson(12, gap.body, "boot-a", "boot-b"))).toMatchObject({
      seq: 12,
      bootId: "boot-a",
    });
  });
});
