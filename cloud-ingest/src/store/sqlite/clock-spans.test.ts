import { describe, expect, it } from "vitest";
import { createSpanRuns } from "./clock-spans.js";

const at = (boot: string | null, base: number | null = 100, wallBase: number | null = null) => ({
  t: 0,
  boot,
  base,
  wallBase,
});

describe("clock spans of a batch", () => {
  it("runs only over consecutive seqs of one clock, leaving events with a final time out", () => {
    const runs = createSpanRuns();
    runs.add(1, at("b1"));
    runs.add(2, at("b1"));
    runs.add(3, at(null));
    runs.add(4, at("b1"));
    runs.add(6, at("b1"));
    runs.add(7, at("b1", 90));
    runs.add(8, at("b1", 90, 5));
    runs.add(9, at("b2", 90, 5));
    expect(runs.runs.map((run) => [run.boot, run.from, run.to, run.base, run.wall])).toEqual([
      ["b1", 1, 2, 100, null],
      ["b1", 4, 4, 100, null],
      ["b1", 6, 6, 100, null],
      ["b1", 7, 7, 90, null],
      ["b1", 8, 8, 90, 5],
      ["b2", 9, 9, 90, 5],
    ]);
  });
});
