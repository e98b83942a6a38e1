import { describe, expect, it } from "vitest";
import { countDeltasFor } from "./count-deltas.js";
import { countSourcesOf } from "./count-sources.js";
import { campusSite, crossing, laneRead, slotState } from "./test-support/count-fixtures.js";

const site = campusSite();
const deltasOf = (event: Parameters<typeof countDeltasFor>[1]) => {
  const effect = countDeltasFor(site, event);
  if (!effect.known) throw new Error(effect.reason);
  return Object.fromEntries(effect.deltas.map(({ space, delta }) => [space, delta]));
};

describe("countDeltasFor", () => {
  it("adds a lane entry to its space and ancestors, and an exit removes it", () => {
    expect(deltasOf(laneRead(1, 0, "gate-in"))).toEqual({ garage: 1 });
    expect(deltasOf(laneRead(2, 0, "gate-out"))).toEqual({ garage: -1 });
  });

  it("moves a door crossing from outside into the door's space and its ancestors", () => {
    expect(deltasOf(crossing(1, 0, "main", 1))).toEqual({ "floor-1": 1, building: 1 });
    expect(deltasOf(crossing(2, 0, "main", -1, 3))).toEqual({ "floor-1": -3, building: -3 });
  });

  it("gives spaces that contain both sides of a door no delta", () => {
    expect(deltasOf(crossing(1, 0, "a-b", 1, 2))).toEqual({ "room-b": 2, "room-a": -2 });
    expect(deltasOf(crossing(2, 0, "stairs", -1))).toEqual({ "floor-1": 1, "floor-2": -1 });
  });

  it("turns a slot state into a reading for the slot's space chain, not a delta", () => {
    expect(countDeltasFor(site, slotState(1, 0, "x1", true))).toEqual({
      known: true,
      deltas: [],
      slot: { slot: "x1", spaces: ["zone-x", "deck-1", "garage"], occupied: true },
    });
  });

  it("names the unknown lane, door, slot or site", () => {
    expect(countDeltasFor(site, crossing(1, 0, "back", 1))).toEqual({
      known: false,
      reason: 'door "back" is not in site "campus"',
    });
    expect(countDeltasFor(site, slotState(1, 0, "z9", true))).toMatchObject({ known: false });
    expect(countDeltasFor(undefined, laneRead(1, 0, "gate-in"))).toMatchObject({
      known: false,
      reason: 'site "campus" is not in the topology',
    });
  });
});

describe("countDeltasFor on many events of one source", () => {
  it("shares one frozen result per known source and variant, and works out large groups and unknown sources each time", () => {
    const first = countDeltasFor(site, crossing(1, 0, "main", 1));
    expect(countDeltasFor(site, crossing(2, 5, "main", 1))).toBe(first);
    expect(Object.isFrozen(first) && first.known && Object.isFrozen(first.deltas)).toBe(true);
    expect(countDeltasFor(site, crossing(3, 0, "main", -1))).not.toBe(first);
    const pair = countDeltasFor(site, crossing(4, 0, "main", 1, 2));
    expect(countDeltasFor(site, crossing(5, 0, "main", 1, 2))).toBe(pair);
    const crowd = crossing(6, 0, "main", 1, 17);
    expect(countDeltasFor(site, crowd)).not.toBe(countDeltasFor(site, crowd));
    const unknown = crossing(7, 0, "no-such-door", 1);
    expect(countDeltasFor(site, unknown)).not.toBe(countDeltasFor(site, unknown));
  });
});

describe("countSourcesOf", () => {
  it("counts by flow where a lane or door crosses, else by slots, else none; countFrom wins", () => {
    expect(Object.fromEntries(countSourcesOf(site))).toEqual({
      building: "flow",
      "floor-1": "flow",
      "room-a": "flow",
      "room-b": "flow",
      "floor-2": "flow",
      garage: "flow",
      "deck-1": "slots",
      "zone-x": "slots",
      "zone-y": "slots",
      yard: "slots",
      shed: "none",
    });
  });
});
