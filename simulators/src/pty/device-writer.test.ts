import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDeviceReader } from "../test-support/device-reader.js";
import { silentLogger } from "../test-support/silent-logger.js";
import { createTempDir, type TempDir } from "../test-support/temp-dir.js";
import { openDeviceWriter } from "./device-writer.js";
import { createPtyPair, type PtyPair } from "./pty-pair.js";

describe("openDeviceWriter", () => {
  let dir: TempDir;
  let pair: PtyPair;

  beforeEach(async () => {
    dir = await createTempDir();
    pair = await createPtyPair({ dir: dir.path, name: "cam0", logger: silentLogger });
  });
  afterEach(async () => {
    await pair.close();
    await dir.remove();
  });

  it("waits for room while nobody reads, and gives up promptly on abort", async () => {
    const writer = await openDeviceWriter(pair.simPath);
    const big = Buffer.alloc(1024 * 1024, "x");
    const started = Date.now();
    const written = await writer.write(big, { signal: AbortSignal.timeout(300), graceMs: 100 });
    await writer.close();
    expect(written).toBeGreaterThan(0);
    expect(written).toBeLessThan(big.length);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("delivers a chunk larger than the pty buffer once someone reads", async () => {
    const reader = openDeviceReader(pair.devicePath);
    const writer = await openDeviceWriter(pair.simPath);
    const lines = Array.from({ length: 2000 }, (_, i) => `line ${i} ${"y".repeat(80)}`);
    try {
      expect(await writer.write(Buffer.from(lines.map((line) => `${line}\n`).join("")))).toBeGreaterThan(
        100_000,
      );
      expect(await reader.waitForLines(2000, 10_000)).toEqual(lines);
    } finally {
      await writer.close();
      reader.close();
    }
  });

  it("says how to get a device when the path does not exist", async () => {
    await expect(openDeviceWriter(join(dir.path, "missing"))).rejects.toMatchObject({
      code: "DEVICE_NOT_FOUND",
      message: expect.stringContaining("lotwatch-sim pty"),
    });
  });
});
