import { confusableKey, normalizePlate } from "@lotwatch/protocol/plate.js";
import { describe, expect, it } from "vitest";
import { createRandom } from "../random/random.js";
import { createPlateMaker, parsePlateFormat } from "./plate-maker.js";

describe("createPlateMaker", () => {
  it("makes plates shaped like KA01AB1234 by default", () => {
    const plates = createPlateMaker({ random: createRandom(1) });
    for (let i = 0; i < 100; i++) expect(plates.next()).toMatch(/^[A-Z]{2}\d{2}[A-Z]{2}\d{4}$/);
  });

  it("keeps literal characters of the format in place", () => {
    const plates = createPlateMaker({ format: "KA-##-@@-####", random: createRandom(2) });
    for (let i = 0; i < 50; i++) expect(plates.next()).toMatch(/^KA-\d{2}-[A-Z]{2}-\d{4}$/);
  });

  it("never repeats a plate, nor one differing only by characters cameras confuse", () => {
    const plates = createPlateMaker({ random: createRandom(3) });
    const keys = Array.from({ length: 20_000 }, () => confusableKey(normalizePlate(plates.next())));
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("uses every plate of a small format once, then says the format is too small", () => {
    const plates = createPlateMaker({ format: "@#", random: createRandom(4) });
    const all = Array.from({ length: plates.capacity }, () => plates.next());
    expect(new Set(all).size).toBe(23 * 10);
    expect(() => plates.next()).toThrow(/allows only 230 distinct plates/);
  });

  it("depends only on the seed", () => {
    const run = (seed: number) => {
      const plates = createPlateMaker({ random: createRandom(seed) });
      return Array.from({ length: 10 }, () => plates.next());
    };
    expect(run(8)).toEqual(run(8));
    expect(run(8)).not.toEqual(run(9));
  });
});

describe("parsePlateFormat", () => {
  it("rejects formats that cannot make a valid plate", () => {
    expect(() => parsePlateFormat("")).toThrow(/1-16 characters/);
    expect(() => parsePlateFormat("@".repeat(17))).toThrow(/1-16 characters/);
    expect(() => parsePlateFormat("KA01")).toThrow(/at least one @ or #/);
    expect(() => parsePlateFormat("ab##")).toThrow(/has "a"/);
  });
});
