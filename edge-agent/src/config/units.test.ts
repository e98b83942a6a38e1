import { describe, expect, it } from "vitest";
import { parseByteSize, parseDuration } from "./units.js";

describe("parseByteSize", () => {
  it.each([
    ["2GB", 2 * 1024 ** 3],
    ["500 MiB", 500 * 1024 ** 2],
    ["64kb", 65_536],
    ["1024", 1024],
    ["1.5KB", 1536],
  ])("reads %s", (text, bytes) => {
    expect(parseByteSize(text)).toBe(bytes);
  });

  it.each(["", "GB", "2 parsecs", "-1GB", "0"])("refuses %j", (text) => {
    expect(parseByteSize(text)).toBeNull();
  });
});

describe("parseDuration", () => {
  it.each([
    ["14d", 14 * 86_400_000],
    ["12h", 43_200_000],
    ["30m", 1_800_000],
    ["250ms", 250],
    ["1w", 604_800_000],
  ])("reads %s", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(["14", "d", "3 fortnights"])("refuses %j", (text) => {
    expect(parseDuration(text)).toBeNull();
  });
});
