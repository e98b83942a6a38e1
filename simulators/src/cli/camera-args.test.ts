import { describe, expect, it } from "vitest";
import { CAMERA_DEFAULTS, parseCameraArgs, type RawCameraArgs } from "./camera-args.js";

const raw = (overrides: Partial<RawCameraArgs> = {}): RawCameraArgs => ({
  device: "/tmp/cam0-sim",
  ...CAMERA_DEFAULTS,
  ...overrides,
});

describe("parseCameraArgs", () => {
  it("turns the defaults into typed options", () => {
    expect(parseCameraArgs(raw())).toEqual({
      device: "/tmp/cam0-sim",
      count: 1000,
      rate: 50,
      seed: 1,
      entryLane: "entry-1",
      exitLane: "exit-1",
      matchRate: 0.8,
      format: "jsonl",
      plateFormat: "@@##@@####",
    });
  });

  it("reads --start-at as a time and keeps --log", () => {
    const args = parseCameraArgs(raw({ startAt: "2026-11-22T10:00:00Z", log: "truth.jsonl" }));
    expect(args.startAt?.toISOString()).toBe("2026-11-22T10:00:00.000Z");
    expect(args.log).toBe("truth.jsonl");
  });

  it.each([
    [{ rate: "x" }, '--rate must be a number ≥ 0, got "x"'],
    [{ rate: "-1" }, '--rate must be a number ≥ 0, got "-1"'],
    [{ rate: "" }, '--rate must be a number ≥ 0, got ""'],
    [{ count: "1.5" }, '--count must be an integer ≥ 0, got "1.5"'],
    [{ seed: "abc" }, '--seed must be an integer, got "abc"'],
    [{ matchRate: "1.2" }, '--match-rate must be a number from 0 to 1, got "1.2"'],
    [{ entryLane: "entry 1" }, "--entry-lane must be 1-64 letters"],
    [{ format: "csv" }, '--format must be one of jsonl, delimited, got "csv"'],
    [{ startAt: "yesterday" }, "--start-at must be an ISO-8601 time"],
    [{ plateFormat: "KA01" }, '--plate-format: plate format "KA01" needs at least one @ or #'],
  ])("rejects %o with a message naming the flag", (overrides, message) => {
    expect(() => parseCameraArgs(raw(overrides))).toThrow(message);
    expect(() => parseCameraArgs(raw(overrides))).toThrow(expect.objectContaining({ code: "BAD_ARGUMENT" }));
  });
});
