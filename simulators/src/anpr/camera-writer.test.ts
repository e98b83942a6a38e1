import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { ReadingSchema } from "@lotwatch/protocol/events.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createPtyPair, type PtyPair } from "../pty/pty-pair.js";
import { type DeviceReader, openDeviceReader } from "../test-support/device-reader.js";
import { silentLogger } from "../test-support/silent-logger.js";
import { createTempDir, type TempDir } from "../test-support/temp-dir.js";
import { writeCameraReads } from "./camera-writer.js";
import { generateAnprReads } from "./scenario.js";
import { summarize } from "./summary.js";

const START = Date.parse("2026-11-22T10:00:00.000Z");

describe("writeCameraReads over a real pty", () => {
  let dir: TempDir;
  let pair: PtyPair;
  let reader: DeviceReader;

  beforeEach(async () => {
    dir = await createTempDir();
    pair = await createPtyPair({ dir: dir.path, name: "cam0", logger: silentLogger });
    reader = openDeviceReader(pair.devicePath);
  });
  afterEach(async () => {
    reader.close();
    await pair.close();
    await dir.remove();
  });

  it("delivers 500 reads at rate 0 intact, logs exactly what was read and summarizes them", async () => {
    const logPath = join(dir.path, "truth.jsonl");
    const expected = [...generateAnprReads({ seed: 7, count: 500, startAt: START })];
    const progress: number[] = [];

    const summary = await writeCameraReads({
      devicePath: pair.simPath,
      reads: expected,
      rate: 0,
      logPath,
      onProgress: ({ sent }) => progress.push(sent),
    });

    const lines = await reader.waitForLines(500, 10_000);
    expect(lines.map((line) => ReadingSchema.parse(JSON.parse(line)))).toEqual(expected);
    expect(await readFile(logPath, "utf8")).toBe(lines.map((line) => `${line}\n`).join(""));
    const { durationMs, ...counts } = summary;
    expect(counts).toEqual(summarize(expected));
    expect(counts.entries + counts.exits).toBe(500);
    expect(durationMs).toBeGreaterThanOrEqual(0);
    expect(progress.at(-1)).toBe(500);
  });

  it("paces reads at the given rate", async () => {
    const reads = generateAnprReads({ seed: 1, count: 21, startAt: START });
    const started = performance.now();
    const summary = await writeCameraReads({ devicePath: pair.simPath, reads, rate: 100 });
    const elapsed = performance.now() - started;
    // 21 reads at 100/s: the last is due 200 ms after the first.
    expect(elapsed).toBeGreaterThanOrEqual(190);
    expect(elapsed).toBeLessThan(2000);
    expect(summary.entries + summary.exits).toBe(21);
    expect(await reader.waitForLines(21, 5000)).toHaveLength(21);
  });

  it("writes type;lane;plate;confidence;occurredAt lines in delimited format, still logging JSON", async () => {
    const logPath = join(dir.path, "truth.jsonl");
    const expected = [...generateAnprReads({ seed: 2, count: 5, startAt: START })];
    await writeCameraReads({
      devicePath: pair.simPath,
      reads: expected,
      rate: 0,
      format: "delimited",
      logPath,
    });

    const lines = await reader.waitForLines(5, 5000);
    expect(lines).toEqual(
      expected.map((r) => `${r.type};${r.lane};${r.plate};${r.confidence};${r.occurredAt}`),
    );
    const logged = (await readFile(logPath, "utf8")).trim().split("\n");
    expect(logged.map((line) => JSON.parse(line))).toEqual(expected);
  });

  it("stops on abort and summarizes only the reads that went out", async () => {
    const controller = new AbortController();
    const reads = generateAnprReads({ seed: 3, count: Number.POSITIVE_INFINITY, startAt: START });
    const summary = await writeCameraReads({
      devicePath: pair.simPath,
      reads,
      rate: 200,
      signal: controller.signal,
      onProgress: ({ sent }) => {
        if (sent >= 30) controller.abort();
      },
    });
    const sent = summary.entries + summary.exits;
    expect(sent).toBeGreaterThanOrEqual(30);
    const lines = await reader.waitForLines(sent, 5000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(reader.lines()).toHaveLength(sent);
    const { durationMs: _, ...counts } = summary;
    expect(summarize(lines.map((line) => JSON.parse(line)))).toEqual(counts);
  });

  it("fails with DEVICE_NOT_FOUND for a missing device, creating no log", async () => {
    const logPath = join(dir.path, "truth.jsonl");
    await expect(
      writeCameraReads({ devicePath: join(dir.path, "nope"), reads: [], rate: 0, logPath }),
    ).rejects.toMatchObject({ code: "DEVICE_NOT_FOUND" });
    await expect(readFile(logPath)).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("fails with LOG_OPEN_FAILED when the log cannot be written", async () => {
    const logPath = join(dir.path, "no-such-dir", "truth.jsonl");
    await expect(
      writeCameraReads({ devicePath: pair.simPath, reads: [], rate: 0, logPath }),
    ).rejects.toMatchObject({ code: "LOG_OPEN_FAILED" });
  });
});
