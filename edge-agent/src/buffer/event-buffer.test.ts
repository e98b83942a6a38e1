import { ConfigError } from "@lotwatch/protocol/errors.js";
import { EventSchema, type Reading } from "@lotwatch/protocol/events.js";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createSilentLogger } from "../common/logger.js";
import { createTempDir, type TempDir } from "../test-support/temp-dir.js";
import { createEventBuffer, type EventBufferOptions } from "./event-buffer.js";
import type { EventBuffer } from "./types.js";

const entry = (plate: string): Reading => ({
  type: "vehicle.entry",
  lane: "entry-1",
  plate,
  confidence: 0.9,
});

describe("createEventBuffer", () => {
  let dir: TempDir;
  const open: EventBuffer[] = [];

  beforeEach(() => {
    dir = createTempDir();
  });
  afterEach(() => {
    for (const buffer of open.splice(0)) buffer.close();
    dir.remove();
  });

  function openBuffer(overrides: Partial<EventBufferOptions> = {}): EventBuffer {
    const buffer = createEventBuffer({
      path: dir.file("buffer.db"),
      gatewayId: "gw-1",
      site: "mall-a",
      bootId: "boot-a",
      logger: createSilentLogger(),
      ...overrides,
    });
    open.push(buffer);
    return buffer;
  }

  it("sets WAL, FULL sync by default and incremental auto-vacuum", () => {
    expect(openBuffer().pragmas()).toEqual({
      journalMode: "wal",
      synchronous: "full",
      autoVacuum: "incremental",
    });
  });

  it("uses synchronous NORMAL when configured", () => {
    expect(openBuffer({ synchronous: "normal" }).pragmas().synchronous).toBe("normal");
  });

  it("turns readings into valid wire events with id, seq, site and a stamped time", async () => {
    const now = new Date("2026-11-22T10:00:00.000Z");
    const buffer = openBuffer({ now: () => now, uptimeMs: () => 1234 });
    const range = await buffer.accept([
      entry("KA01AB1234"),
      { type: "door.crossing", door: "door-1", direction: -1, occurredAt: "2026-11-22T09:59:58.010Z" },
    ]);
    expect(range).toEqual({ firstSeq: 1, lastSeq: 2, count: 2 });
    const [first, second] = buffer.peek(0, 10, 1_000_000).map((row) => JSON.parse(row.json));
    expect(first).toMatchObject({ seq: 1, site: "mall-a", occurredAt: now.toISOString(), uptimeMs: 1234 });
    expect(first).not.toHaveProperty("bootId");
    expect(second).toMatchObject({ seq: 2, occurredAt: "2026-11-22T09:59:58.010Z", direction: -1 });
    expect(EventSchema.parse(first).type).toBe("vehicle.entry");
    expect(EventSchema.parse(second).type).toBe("door.crossing");
  });

  it("stamps clockSynced:false only while the clock is known to be unsynchronized", async () => {
    let synced: boolean | undefined = false;
    const buffer = openBuffer({ clockSynced: () => synced });
    await buffer.accept([entry("A")]);
    synced = undefined;
    await buffer.accept([entry("B")]);
    synced = true;
    await buffer.accept([entry("C")]);
    const events = buffer.peek(0, 10, 1_000_000).map((row) => EventSchema.parse(JSON.parse(row.json)));
    expect(events.map((event) => event.clockSynced)).toEqual([false, undefined, undefined]);
  });

  it("keeps seqs increasing across deletes and reopening, never reusing one", async () => {
    let buffer = openBuffer();
    await buffer.accept([entry("A1"), entry("A2"), entry("A3")]);
    expect(buffer.ack({ fromSeq: 1, toSeq: 3 })).toBe(3);
    expect(buffer.depth()).toBe(0);
    buffer.close();

    buffer = openBuffer({ bootId: "boot-b" });
    expect(await buffer.accept([entry("B1")])).toEqual({ firstSeq: 4, lastSeq: 4, count: 1 });
    buffer.close();

    buffer = openBuffer({ bootId: "boot-c" });
    expect(buffer.depth()).toBe(1);
    const [row] = buffer.peek(0, 10, 1_000_000);
    // Stamped by an earlier boot: the wire event names that boot.
    expect(JSON.parse(row?.json ?? "{}")).toMatchObject({ seq: 4, bootId: "boot-b", plate: "B1" });
    expect(await buffer.accept([entry("C1")])).toEqual({ firstSeq: 5, lastSeq: 5, count: 1 });
  });

  it("commits concurrent accepts in one transaction and resolves each with its own range", async () => {
    const buffer = openBuffer();
    const ranges = await Promise.all(
      Array.from({ length: 50 }, (_, i) => buffer.accept([entry(`P${i}`), entry(`Q${i}`)])),
    );
    expect(buffer.stats().commits).toBe(1);
    expect(ranges[0]).toEqual({ firstSeq: 1, lastSeq: 2, count: 2 });
    expect(ranges[49]).toEqual({ firstSeq: 99, lastSeq: 100, count: 2 });
    expect(buffer.depth()).toBe(100);
  });

  it("stores every reading at the seq of its accept's range, in order, whatever the group's size", async () => {
    const buffer = openBuffer();
    const sizes = [73, 3, 1, 64, 9];
    const ranges = await Promise.all(
      sizes.map((size, call) =>
        buffer.accept(Array.from({ length: size }, (_, i) => entry(`C${call}-${i}`))),
      ),
    );
    expect(buffer.stats().commits).toBe(1);
    const events = buffer.peek(0, 1000, 10_000_000).map((row) => EventSchema.parse(JSON.parse(row.json)));
    expect(events).toHaveLength(150);
    sizes.forEach((size, call) => {
      const range = ranges[call];
      expect(range?.count).toBe(size);
      for (let i = 0; i < size; i++) {
        const event = events.find((candidate) => candidate.seq === (range?.firstSeq ?? 0) + i);
        expect(event).toMatchObject({ plate: `C${call}-${i}` });
      }
    });
  });

  it("commits early once 1000 readings are queued", async () => {
    const buffer = openBuffer();
    await Promise.all(Array.from({ length: 1500 }, (_, i) => buffer.accept([entry(`P${i}`)])));
    expect(buffer.stats().commits).toBe(2);
    expect(buffer.depth()).toBe(1500);
  });

  it("tells listeners about each commit", async () => {
    const buffer = openBuffer();
    const seen: unknown[] = [];
    buffer.onCommitted((range) => seen.push(range));
    await Promise.all([buffer.accept([entry("A")]), buffer.accept([entry("B"), entry("C")])]);
    expect(seen).toEqual([{ firstSeq: 1, lastSeq: 3, count: 3 }]);
  });

  it("peeks in seq order after a cursor, bounded by count and bytes", async () => {
    const buffer = openBuffer();
    await buffer.accept(Array.from({ length: 20 }, (_, i) => entry(`P${i}`)));
    expect(buffer.peek(5, 3, 1_000_000).map((row) => row.seq)).toEqual([6, 7, 8]);
    const one = buffer.peek(0, 1, 1_000_000)[0]?.json ?? "";
    const twoAndABit = (Buffer.byteLength(one) + 1) * 2 + 10;
    expect(buffer.peek(0, 100, twoAndABit)).toHaveLength(2);
    // One event always fits, or a large event would block the queue forever.
    expect(buffer.peek(0, 100, 1)).toHaveLength(1);
  });

  it("deletes acked ranges idempotently and reports the oldest pending row", async () => {
    let now = new Date("2026-11-22T10:00:00.000Z");
    const buffer = openBuffer({ now: () => now });
    await buffer.accept([entry("A"), entry("B")]);
    now = new Date("2026-11-22T11:00:00.000Z");
    await buffer.accept([entry("C")]);
    expect(buffer.oldestPendingAt()).toBe("2026-11-22T10:00:00.000Z");
    expect(buffer.ack({ fromSeq: 1, toSeq: 2 })).toBe(2);
    expect(buffer.ack({ fromSeq: 1, toSeq: 2 })).toBe(0);
    expect(buffer.depth()).toBe(1);
    expect(buffer.oldestPendingAt()).toBe("2026-11-22T11:00:00.000Z");
    buffer.ack({ fromSeq: 3, toSeq: 3 });
    expect(buffer.oldestPendingAt()).toBeNull();
  });

  it("deletes several acked ranges at once and keeps commits fsynced (FULL) after acks", async () => {
    const buffer = openBuffer();
    await buffer.accept(Array.from({ length: 10 }, (_, i) => entry(`P${i}`)));
    expect(
      buffer.ack([
        { fromSeq: 1, toSeq: 2 },
        { fromSeq: 5, toSeq: 7 },
        { fromSeq: 1, toSeq: 1 },
      ]),
    ).toBe(5);
    expect(buffer.depth()).toBe(5);
    expect(buffer.peek(0, 100, 1_000_000).map((row) => row.seq)).toEqual([3, 4, 8, 9, 10]);
    expect(buffer.pragmas().synchronous).toBe("full");
  });

  it("gives freed pages back to the file system after a large drain", async () => {
    const buffer = openBuffer();
    const plate = "X".repeat(16);
    await buffer.accept(Array.from({ length: 20_000 }, () => entry(plate)));
    buffer.ack({ fromSeq: 1, toSeq: 20_000 });
    // In steps between turns of the event loop, so a large file does not stall everything else.
    await vi.waitFor(() => expect(buffer.bytes()).toBeLessThan(100 * 4096), { timeout: 10_000 });
    buffer.close();
    const db = new Database(dir.file("buffer.db"), { readonly: true });
    try {
      // ~1300 pages hold the rows; without incremental_vacuum they would all stay on the freelist.
      expect(db.pragma("page_count", { simple: true })).toBeLessThan(100);
    } finally {
      db.close();
    }
  });

  it("flushes queued readings on close and refuses accepts afterwards", async () => {
    const buffer = openBuffer();
    const pending = buffer.accept([entry("A")]);
    buffer.close();
    await expect(pending).resolves.toEqual({ firstSeq: 1, lastSeq: 1, count: 1 });
    await expect(buffer.accept([entry("B")])).rejects.toMatchObject({ code: "BUFFER_CLOSED" });
  });

  it("refuses a buffer file that belongs to another gateway", () => {
    openBuffer().close();
    expect(() => openBuffer({ gatewayId: "gw-2" })).toThrow(ConfigError);
  });
});
