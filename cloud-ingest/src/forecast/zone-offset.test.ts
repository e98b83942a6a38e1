import { describe, expect, it } from "vitest";
import { isTimeZone, zoneOffset } from "./zone-offset.js";

const H = 3_600_000;

describe("zone offsets", () => {
  it("follows daylight saving in Berlin and the half hours of Kolkata, and is 0 in UTC", () => {
    const berlin = zoneOffset("Europe/Berlin");
    // Clocks go back at 01:00 UTC on 2026-10-25.
    expect(berlin(Date.UTC(2026, 9, 25, 0, 59))).toBe(2 * H);
    expect(berlin(Date.UTC(2026, 9, 25, 1, 0))).toBe(H);
    expect(berlin(Date.UTC(2026, 6, 1, 12))).toBe(2 * H);
    expect(zoneOffset("Asia/Kolkata")(Date.UTC(2026, 0, 1))).toBe(5.5 * H);
    expect(zoneOffset("UTC")(Date.UTC(2026, 0, 1, 7, 13))).toBe(0);
  });

  it("tells an IANA zone from a made-up one", () => {
    expect(isTimeZone("America/New_York")).toBe(true);
    expect(isTimeZone("Europe/Atlantis")).toBe(false);
  });
});
