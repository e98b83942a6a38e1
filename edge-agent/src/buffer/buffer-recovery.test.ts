import { execFileSync } from "node:child_process";
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Reading } from "@lotwatch/protocol/events.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSilentLogger } from "../common/logger.js";
import { createTempDir, type TempDir } from "../test-support/temp-dir.js";
import { canMountTmpfs, mountTmpfs } from "../test-support/tmpfs.js";
import { readSeqMark } from "./buffer-recovery.js";
import { createEventBuffer } from "./event-buffer.js";
import type { EventBuffer } from "./types.js";

const crossing: Reading = { type: "door.crossing", door: "door-1", direction: 1 };
const NOW = new Date("2026-11-22T10:00:00.000Z");

describe("a damaged, deleted or unwritable buffer", () => {
  let dir: TempDir;
  const open: EventBuffer[] = [];

  beforeEach(() => {
    dir = createTempDir();
    // An existing folder: the buffer in it is a first start, with seqs from 1.
    mkdirSync(dir.file("buf"));
  });
  afterEach(() => {
    for (const buffer of open.splice(0)) buffer.close();
    dir.remove();
  });

  function openBuffer(path = dir.file("buf/buffer.db")): EventBuffer {
    const buffer = createEventBuffer({
      path,
      gatewayId: "gw-1",
      site: "mall-a",
      bootId: "boot-a",
      logger: createSilentLogger(),
      now: () => NOW,
    });
    open.push(buffer);
    return buffer;
  }

  /** 2,000 readings, the first 500 acked: seqs 501..2000 pending when the buffer closes. */
  async function filledAndClosed(path?: string): Promise<void> {
    const buffer = openBuffer(path);
    for (let i = 0; i < 20; i++) await buffer.accept(Array.from({ length: 100 }, () => crossing));
    buffer.ack({ fromSeq: 1, toSeq: 500 });
    buffer.close();
    open.splice(open.indexOf(buffer), 1);
  }

  function pendingAfterReopen(buffer: EventBuffer) {
    return buffer.peek(0, 10, 1 << 20).map((event) => JSON.parse(event.json));
  }

  it("moves a file with overwritten pages aside and reports its pending seqs as a gap", async () => {
    await filledAndClosed();
    const path = dir.file("buf/buffer.db");
    const size = statSync(path).size;
    const fd = openSync(path, "r+");
    // Garbage over the middle pages (table b-tree pages of `pending`), header and schema intact.
    writeSync(fd, Buffer.alloc(16 * 1024, 0xa5), 0, 16 * 1024, Math.floor(size / 2 / 4096) * 4096);
    closeSync(fd);

    const started = performance.now();
    const buffer = openBuffer();
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(readdirSync(dir.file("buf")).some((name) => name.startsWith("buffer.db.corrupt-"))).toBe(true);
    const [gap, ...rest] = pendingAfterReopen(buffer);
    expect(rest).toEqual([]);
    expect(gap).toMatchObject({
      type: "gateway.gap",
      seq: 2001,
      fromSeq: 501,
      toSeq: 2000,
      reason: "buffer-corrupt",
    });
    const range = await buffer.accept([crossing]);
    expect(range?.firstSeq).toBe(2002);
  });

  it("moves a file that is not a database any more aside and reports the loss from its seq mark", async () => {
    await filledAndClosed();
    const path = dir.file("buf/buffer.db");
    const fd = openSync(path, "r+");
    writeSync(fd, Buffer.alloc(100, 0x00), 0, 100, 0);
    closeSync(fd);

    const buffer = openBuffer();
    const [gap] = pendingAfterReopen(buffer);
    // Nothing in the file can be read: the mark written at the clean close names the pending seqs,
    // and seqs restart far above them (readings after a mark written before a crash are unknown).
    expect(gap).toMatchObject({ type: "gateway.gap", reason: "buffer-corrupt", fromSeq: 501, toSeq: 2000 });
    expect(gap.seq).toBeGreaterThan(NOW.getTime() * 1000);
  });

  it("reports the pending seqs of a deleted file from its seq mark", async () => {
    await filledAndClosed();
    for (const suffix of ["", "-wal", "-shm"]) rmSync(dir.file(`buf/buffer.db${suffix}`), { force: true });

    const buffer = openBuffer();
    const [gap] = pendingAfterReopen(buffer);
    expect(gap).toMatchObject({ type: "gateway.gap", reason: "buffer-missing", fromSeq: 501, toSeq: 2000 });
    expect(gap.seq).toBeGreaterThan(2000);
  });

  it("starts a fresh buffer with seqs above any handed out before when the whole folder was deleted", async () => {
    await filledAndClosed();
    rmSync(dir.file("buf"), { recursive: true });

    const fresh = openBuffer();
    expect(pendingAfterReopen(fresh)).toEqual([]);
    const range = await fresh.accept([crossing]);
    // The mark went with the folder: nothing says which seqs were pending, but none is reused.
    expect(range?.firstSeq).toBeGreaterThan(NOW.getTime() * 1000);
    expect(readSeqMark(dir.file("buf/buffer.db"))).not.toBeNull();
  });

  it.skipIf(!canMountTmpfs())("buffers under the temp dir when the folder is read-only", async () => {
    const mount = mountTmpfs(1024 * 1024);
    try {
      execFileSync("mount", ["-o", "remount,ro", mount.path], { stdio: "pipe", timeout: 10_000 });
      const buffer = openBuffer(join(mount.path, "buffer.db"));
      const range = await buffer.accept([crossing]);
      expect(range?.firstSeq).toBe(1);
      expect(existsSync(join(tmpdir(), "lotwatch-buffer-gw-1", "buffer.db"))).toBe(true);
      buffer.close();
      open.splice(open.indexOf(buffer), 1);
    } finally {
      mount.remove();
      rmSync(join(tmpdir(), "lotwatch-buffer-gw-1"), { recursive: true, force: true });
    }
  });
});
