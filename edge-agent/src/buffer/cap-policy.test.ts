import type { Reading } from "@lotwatch/protocol/events.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSilentLogger } from "../common/logger.js";
import { expectGapsNameExactlyTheDropped, pendingEvents, seqsOf } from "../test-support/gap-check.js";
import { createTempDir, type TempDir } from "../test-support/temp-dir.js";
import { createEventBuffer, type EventBufferOptions } from "./event-buffer.js";
import type { DropReport } from "./retention.js";
import type { EventBuffer } from "./types.js";

const entry = (i: number): Reading => ({
  type: "vehicle.entry",
  lane: "entry-1",
  plate: `KA${i}`.slice(0, 16),
});

describe("the buffer cap policy", () => {
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

  async function acceptMany(
    buffer: EventBuffer,
    count: number,
    perCommit: number,
    from = 0,
  ): Promise<number[]> {
    const seqs: number[] = [];
    for (let i = 0; i < count; i += perCommit) {
      const batch = Array.from({ length: Math.min(perCommit, count - i) }, (_, j) => entry(from + i + j));
      const range = await buffer.accept(batch);
      if (range !== null) seqs.push(...seqsOf([{ fromSeq: range.firstSeq, toSeq: range.lastSeq }]));
    }
    return seqs;
  }

  it("drops the oldest readings past maxBytes and names exactly the dropped seqs in gap events", async () => {
    const maxBytes = 256 * 1024;
    const buffer = openBuffer({ maxBytes });
    const reports: DropReport[] = [];
    buffer.onDropped((report) => reports.push(report));

    const accepted = await acceptMany(buffer, 1000, 100);
    // Acked rows among the pending ones: the dropped ranges must go around them.
    buffer.ack({ fromSeq: 401, toSeq: 450 });
    accepted.push(...(await acceptMany(buffer, 7000, 100, 1000)));

    const acked = new Set(seqsOf([{ fromSeq: 401, toSeq: 450 }]));
    const { gaps, dropped } = expectGapsNameExactlyTheDropped(buffer, accepted, acked);
    expect(dropped.length).toBeGreaterThan(3000);
    expect(gaps.every((gap) => gap.reason === "buffer-cap-bytes")).toBe(true);
    expect(gaps.some((gap) => gap.toSeq === 400) && gaps.some((gap) => gap.fromSeq === 451)).toBe(true);
    expect(buffer.bytes()).toBeLessThanOrEqual(maxBytes);
    expect(buffer.health().dropped).toBe(dropped.length);
    expect(reports.reduce((sum, report) => sum + report.dropped, 0)).toBe(dropped.length);
    // Gap events are never dropped, so a later drop splits around an earlier gap event.
    const gapEventSeqs = reports.flatMap((report) => report.gapSeqs);
    expect(gaps.map((gap) => gap.seq)).toEqual(gapEventSeqs);
    expect(gaps.some((gap) => gapEventSeqs.includes(gap.toSeq + 1))).toBe(true);
  });

  it("never drops a reading it handed out for sending, since the ingest may already hold it", async () => {
    const buffer = openBuffer({ maxBytes: 128 * 1024 });
    await acceptMany(buffer, 200, 100);
    expect(buffer.health().dropped).toBe(0);
    const sent = buffer.nextToSend(0, 200, Number.MAX_SAFE_INTEGER).map((event) => event.seq);
    await acceptMany(buffer, 4000, 100, 200);

    const stillPending = new Set(pendingEvents(buffer).map((event) => event.seq));
    expect(buffer.health().dropped).toBeGreaterThan(1000);
    expect(sent.filter((seq) => !stillPending.has(seq))).toEqual([]);
    const dropped = pendingEvents(buffer)
      .filter((event) => event.type === "gateway.gap")
      .map((event) => (event as { fromSeq: number }).fromSeq);
    expect(Math.min(...dropped)).toBe(sent.length + 1);
  });

  it("keeps the dropped total across a restart", async () => {
    let buffer = openBuffer({ maxBytes: 128 * 1024 });
    await acceptMany(buffer, 3000, 200);
    const dropped = buffer.health().dropped;
    expect(dropped).toBeGreaterThan(0);
    buffer.close();
    buffer = openBuffer({ maxBytes: 128 * 1024 });
    expect(buffer.health().dropped).toBe(dropped);
  });

  it("drops readings older than maxAge, oldest first, keeping gap events", async () => {
    const t0 = Date.parse("2026-11-22T10:00:00.000Z");
    let now = t0;
    const buffer = openBuffer({ maxAgeMs: 90 * 60_000, now: () => new Date(now) });
    const accepted = await acceptMany(buffer, 100, 100);
    now = t0 + 3_600_000;
    accepted.push(...(await acceptMany(buffer, 100, 100, 100)));
    now = t0 + 7_200_000;
    accepted.push(...(await acceptMany(buffer, 100, 100, 200)));

    buffer.enforceCaps();
    let { gaps } = expectGapsNameExactlyTheDropped(buffer, accepted, new Set());
    expect(gaps).toMatchObject([{ fromSeq: 1, toSeq: 100, reason: "buffer-cap-age", seq: 301 }]);

    now = t0 + 3 * 3_600_000 + 600_000;
    buffer.enforceCaps();
    ({ gaps } = expectGapsNameExactlyTheDropped(buffer, accepted, new Set()));
    expect(gaps.map((gap) => [gap.fromSeq, gap.toSeq, gap.seq])).toEqual([
      [1, 100, 301],
      [101, 200, 302],
    ]);
    expect(buffer.oldestPendingAt()).toBe(new Date(t0 + 7_200_000).toISOString());
    expect(buffer.health().dropped).toBe(200);
  });

  it("makes room on SQLITE_FULL by dropping the oldest readings, reporting the gap", async () => {
    const buffer = openBuffer();
    const accepted = await acceptMany(buffer, 3000, 500);
    const before = buffer.bytes();
    // SQLite now answers a genuine SQLITE_FULL as soon as the file would grow.
    buffer.setPageLimit(1);
    accepted.push(...(await acceptMany(buffer, 2000, 100, 3000)));

    const { gaps, dropped } = expectGapsNameExactlyTheDropped(buffer, accepted, new Set());
    expect(dropped.length).toBeGreaterThan(0);
    expect(gaps.every((gap) => gap.reason === "disk-full")).toBe(true);
    expect(buffer.bytes()).toBeLessThanOrEqual(before);
    expect(buffer.health()).toMatchObject({ diskFull: false, refused: 0, dropped: dropped.length });
    expect(buffer.health().diskFullEvents).toBeGreaterThan(0);
  });

  it("refuses readings when nothing is left to drop, keeps working, and resumes when there is room", async () => {
    const buffer = openBuffer();
    const seqs = await acceptMany(buffer, 50, 50);
    buffer.ack({ fromSeq: 1, toSeq: seqs.length });
    buffer.setPageLimit(1);

    const big = Array.from({ length: 1000 }, (_, i) => entry(i));
    await expect(buffer.accept(big)).rejects.toMatchObject({ code: "BUFFER_FULL" });
    expect(buffer.health()).toMatchObject({ diskFull: true, refused: 1000 });
    expect(buffer.health().diskFullSince).toEqual(expect.any(String));
    expect(buffer.depth()).toBe(0);

    buffer.setPageLimit(1_000_000);
    expect(await buffer.accept(big)).toMatchObject({ count: 1000 });
    expect(buffer.health()).toMatchObject({ diskFull: false, refused: 1000 });
    expect(pendingEvents(buffer)).toHaveLength(1000);
  });
});
