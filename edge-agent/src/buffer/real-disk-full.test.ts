import { writeFileSync } from "node:fs";
import type { Reading } from "@lotwatch/protocol/events.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSilentLogger } from "../common/logger.js";
import { expectGapsNameExactlyTheDropped, seqsOf } from "../test-support/gap-check.js";
import { canMountTmpfs, mountTmpfs, type Tmpfs } from "../test-support/tmpfs.js";
import { createEventBuffer } from "./event-buffer.js";
import type { EventBuffer } from "./types.js";

const batch = (i: number): Reading[] =>
  Array.from({ length: 100 }, (_, j) => ({ type: "vehicle.entry", lane: "entry-1", plate: `P${i}-${j}` }));

// A file system that really fills up (ENOSPC, not max_page_count) needs a tmpfs mount: root only.
describe.skipIf(!canMountTmpfs())("the buffer on a really full file system", () => {
  let disk: Tmpfs;
  let buffer: EventBuffer;

  beforeEach(() => {
    disk = mountTmpfs(3 * 1024 * 1024);
    buffer = createEventBuffer({
      path: `${disk.path}/buffer.db`,
      gatewayId: "gw-1",
      site: "mall-a",
      bootId: "boot-a",
      logger: createSilentLogger(),
      reserveBytes: 256 * 1024,
    });
  });
  afterEach(() => {
    buffer.close();
    disk.remove();
  });

  it("keeps accepting by dropping the oldest readings, reporting exactly them, and keeps its reserve", async () => {
    expect(buffer.health().reserve).toBe(true);
    const accepted: number[] = [];
    // 40,000 readings take about four times the 3 MB the file system holds.
    for (let i = 0; i < 400; i++) {
      const range = await buffer.accept(batch(i));
      if (range !== null) accepted.push(...seqsOf([{ fromSeq: range.firstSeq, toSeq: range.lastSeq }]));
    }
    expect(accepted).toHaveLength(40_000);
    const { gaps, dropped } = expectGapsNameExactlyTheDropped(buffer, accepted, new Set());
    expect(dropped.length).toBeGreaterThan(20_000);
    expect(gaps.every((gap) => gap.reason === "disk-full")).toBe(true);
    expect(buffer.health()).toMatchObject({
      diskFull: false,
      refused: 0,
      reserve: true,
      dropped: dropped.length,
    });
  });

  it("refuses readings when nothing is left to drop and resumes once space is freed", async () => {
    const first = await buffer.accept(batch(0));
    buffer.ack({ fromSeq: first?.firstSeq ?? 1, toSeq: first?.lastSeq ?? 1 });
    // Another program fills the disk.
    const hog = `${disk.path}/hog`;
    let size = 4 * 1024 * 1024;
    while (size >= 4096) {
      try {
        writeFileSync(hog, Buffer.alloc(size, 1), { flag: "a" });
      } catch {
        size /= 2;
      }
    }
    await expect(buffer.accept(batch(1))).rejects.toMatchObject({ code: "BUFFER_FULL" });
    expect(buffer.health()).toMatchObject({ diskFull: true, refused: 100 });

    writeFileSync(hog, "");
    expect(await buffer.accept(batch(2))).toMatchObject({ count: 100 });
    expect(buffer.health()).toMatchObject({ diskFull: false, refused: 100 });
  });
});
