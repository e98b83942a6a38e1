import type { Reading } from "@lotwatch/protocol/events.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSilentLogger } from "../common/logger.js";
import { createTempDir, type TempDir } from "../test-support/temp-dir.js";
import { createEventBuffer } from "./event-buffer.js";
import type { EventBuffer } from "./types.js";

const at = (minute: number) =>
  new Date(Date.parse("2026-11-22T10:00:00.000Z") + minute * 60_000).toISOString();

describe("local counts", () => {
  let dir: TempDir;
  const open: EventBuffer[] = [];
  beforeEach(() => {
    dir = createTempDir();
  });
  afterEach(() => {
    for (const buffer of open.splice(0)) buffer.close();
    dir.remove();
  });

  function openBuffer(maxBytes?: number): EventBuffer {
    const buffer = createEventBuffer({
      path: dir.file("buffer.db"),
      gatewayId: "gw-1",
      site: "mall-a",
      bootId: "boot-a",
      logger: createSilentLogger(),
      maxBytes,
      now: () => new Date(at(0)),
    });
    open.push(buffer);
    return buffer;
  }

  const readings: Reading[] = [
    { type: "vehicle.entry", lane: "entry-1", plate: "A1", occurredAt: at(1) },
    { type: "vehicle.entry", lane: "entry-1", plate: "A2", occurredAt: at(2) },
    { type: "vehicle.exit", lane: "entry-1", plate: "A1", occurredAt: at(3) },
    { type: "vehicle.exit", lane: "exit-1", plate: "A2", occurredAt: at(4) },
    { type: "door.crossing", door: "door-1", direction: 1, count: 3, occurredAt: at(1) },
    { type: "door.crossing", door: "door-1", direction: -1, occurredAt: at(2) },
    { type: "slot.state", slot: "L1-001", occupied: true, occurredAt: at(5) },
    { type: "slot.state", slot: "L1-001", occupied: true, occurredAt: at(6) },
    // Older than the slot's latest reading: history, not its state now.
    { type: "slot.state", slot: "L1-001", occupied: false, occurredAt: at(4) },
    { type: "slot.state", slot: "L1-002", occupied: true, occurredAt: at(1) },
    { type: "slot.state", slot: "L1-002", occupied: false, occurredAt: at(7) },
  ];

  it("counts lanes, doors and slots from committed readings and keeps them across a restart", async () => {
    let buffer = openBuffer();
    await Promise.all([buffer.accept(readings.slice(0, 5)), buffer.accept(readings.slice(5))]);
    const expected = {
      since: at(0),
      lanes: [
        { lane: "entry-1", entries: 2, exits: 1, net: 1, lastAt: at(3) },
        { lane: "exit-1", entries: 0, exits: 1, net: -1, lastAt: at(4) },
      ],
      doors: [{ door: "door-1", in: 3, out: 1, net: 2, lastAt: at(2) }],
      slots: [
        { slot: "L1-001", occupied: true, since: at(5), lastAt: at(6) },
        { slot: "L1-002", occupied: false, since: at(7), lastAt: at(7) },
      ],
    };
    expect(buffer.counts()).toEqual(expected);
    buffer.close();

    buffer = openBuffer();
    expect(buffer.counts()).toEqual(expected);
    await buffer.accept([{ type: "vehicle.entry", lane: "entry-1", plate: "A3", occurredAt: at(8) }]);
    expect(buffer.counts().lanes[0]).toEqual({
      lane: "entry-1",
      entries: 3,
      exits: 1,
      net: 2,
      lastAt: at(8),
    });
  });

  it("keeps counting readings that were acked or dropped by the cap", async () => {
    const buffer = openBuffer(128 * 1024);
    for (let i = 0; i < 20; i++) {
      await buffer.accept(
        Array.from({ length: 100 }, (): Reading => ({ type: "vehicle.entry", lane: "entry-1", plate: "B1" })),
      );
    }
    expect(buffer.health().dropped).toBeGreaterThan(0);
    buffer.ack({ fromSeq: 1, toSeq: 1_000_000 });
    expect(buffer.counts().lanes).toMatchObject([{ lane: "entry-1", entries: 2000, net: 2000 }]);
  });
});
