import { describe, expect, it } from "vitest";
import { summarize } from "./summary.js";

const entry = (plate: string) => ({ type: "vehicle.entry", plate });
const exit = (plate: string) => ({ type: "vehicle.exit", plate });

describe("summarize", () => {
  it("counts an exit as matched only against an earlier, still open entry of the same plate", () => {
    const summary = summarize([exit("AA11"), entry("AA11"), exit("aa-11"), exit("AA11"), entry("BB22")]);
    expect(summary).toEqual({ entries: 2, exits: 3, matchedExits: 1, unmatchedExits: 2, expectedCount: -1 });
  });

  it("matches repeated visits of one plate one by one", () => {
    const summary = summarize([entry("CC33"), entry("CC33"), exit("CC33"), exit("CC33"), exit("CC33")]);
    expect(summary).toMatchObject({ matchedExits: 2, unmatchedExits: 1, expectedCount: -1 });
  });

  it("ignores reads that are not vehicle entries or exits", () => {
    expect(summarize([{ type: "door.crossing" }, entry("DD44")])).toMatchObject({ entries: 1, exits: 0 });
  });
});
