import { mkdirSync, writeFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTempDir, type TempDir } from "../test-support/temp-dir.js";
import { CLOCK_FLOOR, createClockSyncDetector } from "./sync-detector.js";
import { createWallClock } from "./wall-clock.js";

describe("createClockSyncDetector", () => {
  let dir: TempDir;
  beforeEach(() => {
    dir = createTempDir();
  });
  afterEach(() => dir.remove());

  const detector = (options: Partial<Parameters<typeof createClockSyncDetector>[0]> = {}) =>
    createClockSyncDetector({ mode: "auto", timesyncDir: dir.file("timesync"), cacheMs: 0, ...options });

  it("cannot tell when no time daemon leaves a trace", () => {
    expect(detector().synced()).toBeUndefined();
  });

  it("knows the clock is unsynchronized while timesyncd runs without having synced", () => {
    mkdirSync(dir.file("timesync"));
    const clock = detector();
    expect(clock.synced()).toBe(false);
    writeFileSync(dir.file("timesync/synchronized"), "");
    expect(clock.synced()).toBe(true);
  });

  it("follows a configured sync file", () => {
    const clock = detector({ syncFile: dir.file("clock-synced") });
    expect(clock.synced()).toBe(false);
    writeFileSync(dir.file("clock-synced"), "");
    expect(clock.synced()).toBe(true);
  });

  it("calls a clock before 2025 unsynchronized whatever the files say", () => {
    writeFileSync(dir.file("clock-synced"), "");
    expect(detector({ syncFile: dir.file("clock-synced"), now: () => CLOCK_FLOOR - 1 }).synced()).toBe(false);
  });

  it("answers always and never without looking", () => {
    expect(detector({ mode: "always", now: () => 0 }).synced()).toBe(true);
    expect(detector({ mode: "never" }).synced()).toBe(false);
  });

  it("reuses an answer within cacheMs", () => {
    mkdirSync(dir.file("timesync"));
    const clock = detector({ cacheMs: 60_000 });
    expect(clock.synced()).toBe(false);
    writeFileSync(dir.file("timesync/synchronized"), "");
    expect(clock.synced()).toBe(false);
  });
});

describe("createWallClock", () => {
  it("shifts the clock by LOTWATCH_TEST_CLOCK_OFFSET_MS under NODE_ENV=test", () => {
    const now = createWallClock({ env: { NODE_ENV: "test", LOTWATCH_TEST_CLOCK_OFFSET_MS: "-86400000" } });
    expect(Date.now() - now().getTime()).toBeGreaterThanOrEqual(86_400_000 - 50);
    expect(Date.now() - now().getTime()).toBeLessThan(86_400_000 + 1000);
  });

  it("ignores the offset outside test builds", () => {
    const now = createWallClock({
      env: { NODE_ENV: "production", LOTWATCH_TEST_CLOCK_OFFSET_MS: "-86400000" },
    });
    expect(Math.abs(Date.now() - now().getTime())).toBeLessThan(1000);
  });
});
