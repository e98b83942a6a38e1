import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { confusableKey, differsByOneConfusable, normalizePlate } from "./plate.js";

describe("normalizePlate", () => {
  it("upper-cases and removes spaces, dashes and dots", () => {
    expect(normalizePlate(" ka-01 ab.1234 ")).toBe("KA01AB1234");
  });

  it("is idempotent", () => {
    fc.assert(fc.property(fc.string(), (s) => normalizePlate(normalizePlate(s)) === normalizePlate(s)));
  });
});

describe("confusable matching", () => {
  it.each([
    ["KA01AB1234", "KA0IAB1234"],
    ["B0B123", "80B123"],
    ["SZG", "5ZG"],
    ["AQ1", "AD1"],
  ])("matches %s with %s", (a, b) => {
    expect(differsByOneConfusable(a, b)).toBe(true);
    expect(confusableKey(a)).toBe(confusableKey(b));
  });

  it.each([
    ["KA01AB1234", "KA01AB1234"],
    ["KA01AB1234", "KA01AB1235"],
    ["KA01AB1234", "KA0IA81234"],
    ["KA01", "KA01X"],
  ])("does not match %s with %s", (a, b) => {
    expect(differsByOneConfusable(a, b)).toBe(false);
  });

  it("is symmetric", () => {
    const plate = fc.stringMatching(/^[A-Z0-9]{1,8}$/);
    fc.assert(
      fc.property(plate, plate, (a, b) => differsByOneConfusable(a, b) === differsByOneConfusable(b, a)),
    );
  });
});
