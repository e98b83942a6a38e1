import { describe, expect, it } from "vitest";
import { feeFor, type Tariff } from "./fee.js";

const tariff: Tariff = { freeMinutes: 15, perHour: 2.5, dailyMax: 20, currency: "EUR" };
const M = 60;
const H = 3600;
const D = 24 * H;

describe("feeFor", () => {
  it.each([
    ["a stay within the free minutes", 10 * M, 0],
    ["exactly the free minutes", 15 * M, 0],
    ["one second past the free minutes (a started hour, from the first minute)", 15 * M + 1, 2.5],
    ["exactly one hour", H, 2.5],
    ["one second into the second hour", H + 1, 5],
    ["7 started hours (17.5, under the daily max)", 6 * H + 1, 17.5],
    ["9 started hours, capped at the daily max", 8 * H + 30 * M, 20],
    ["exactly 24 hours", D, 20],
    ["24 hours and a second: a new started day", D + 1, 22.5],
    ["two full days and 3 started hours", 2 * D + 2 * H + 5 * M, 47.5],
    ["three days and most of a fourth", 3 * D + 23 * H, 80],
  ])("charges %s", (_name, durationS, fee) => {
    expect(feeFor(durationS, tariff)).toBe(fee);
  });

  it("charges no daily cap when the tariff has none", () => {
    expect(feeFor(D + H, { perHour: 2, currency: "EUR" })).toBe(50);
  });

  it("charges from the first second without free minutes", () => {
    expect(feeFor(0, { perHour: 2, currency: "EUR" })).toBe(0);
    expect(feeFor(1, { perHour: 2, currency: "EUR" })).toBe(2);
  });

  it("rounds to cents", () => {
    expect(feeFor(3 * H, { perHour: 0.1, currency: "EUR" })).toBe(0.3);
  });
});
