import { writeFileSync } from "node:fs";
import type { Reading } from "@lotwatch/protocol/events.js";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSilentLogger } from "../common/logger.js";
import { canMountTmpfs, mountTmpfs, type Tmpfs } from "../test-support/tmpfs.js";
import { createEventBuffer } from "./event-buffer.js";
import type { EventBuffer } from "./types.js";

const reading = (i: number): Reading => ({ type: "vehicle.entry", lane: "entry-1", plate: `PLATE-${i}` });

/** An unpaced feeder: 1,000 single-reading accepts per turn of the event loop, one full group commit each. */
async function pour(buffer: EventBuffer, readings: number): Promise<{ accepted: number; refused: number }> {
  let accepted = 0;
  let refused = 0;
  for (let next = 0; next < readings; next += 1000) {
    const results = await Promise.allSettled(
      Array.from({ length: 1000 }, (_, i) => buffer.accept([reading(next + i)])),
    );
    for (const result of results) {
      if (result.status === "fulfilled") accepted++;
      else refused++;
    }
  }
  return { accepted, refused };
}

/** Acks everything pending, the way the forwarder does: a peek, then the delete after PUBACK. */
function drain(buffer: EventBuffer): void {
  for (let round = 0; round < 1000 && buffer.depth() > 0; round++) {
    const events = buffer.peek(0, 500, Number.MAX_SAFE_INTEGER);
    const first = events[0];
    const last = events[events.length - 1];
    if (first === undefined || last === undefined) return;
    buffer.ack({ fromSeq: first.seq, toSeq: last.seq });
  }
}

// A file system that really fills up needs a tmpfs mount: root only.
describe.skipIf(!canMountTmpfs())("the buffer fed unpaced onto a really full file system", () => {
  let disk: Tmpfs;
  let buffer: EventBuffer;

  beforeEach(() => {
    disk = mountTmpfs(4 * 1024 * 1024);
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

  it("keeps dropping for whole group commits larger than its reserve, and drains the backlog on acks", async () => {
    const { accepted, refused } = await pour(buffer, 40_000);
    expect(refused).toBe(0);
    expect(accepted).toBe(40_000);
    expect(buffer.health()).toMatchObject({ diskFull: false, reserve: true });
    expect(buffer.health().dropped).toBeGreaterThan(0);

    drain(buffer);
    expect(buffer.depth()).toBe(0);
    expect((await pour(buffer, 5000)).refused).toBe(0);
  });

  /** Another program takes every byte, with the WAL emptied first so that even a DELETE must grow it. */
  function fillDisk(): void {
    const other = new Database(`${disk.path}/buffer.db`);
    other.pragma("wal_checkpoint(TRUNCATE)");
    other.close();
    let size = 4 * 1024 * 1024;
    while (size >= 512) {
      try {
        writeFileSync(`${disk.path}/hog`, Buffer.alloc(size, 1), { flag: "a" });
      } catch {
        size /= 2;
      }
    }
  }

  it("frees room for the deletes of acks after the disk was filled to the last byte", async () => {
    await pour(buffer, 8000);
    fillDisk();
    drain(buffer);
    expect(buffer.depth()).toBe(0);
  });

  it("makes the reserve again, once there is room, before taking new readings", async () => {
    await pour(buffer, 8000);
    fillDisk();
    await pour(buffer, 20_000);
    drain(buffer);

    // Space returns while readings keep arriving, unpaced.
    writeFileSync(`${disk.path}/hog`, "");
    expect((await pour(buffer, 40_000)).refused).toBe(0);
    expect(buffer.health()).toMatchObject({ diskFull: false, reserve: true });
    drain(buffer);
    expect(buffer.depth()).toBe(0);
  });
});
