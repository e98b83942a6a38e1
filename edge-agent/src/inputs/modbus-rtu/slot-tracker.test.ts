import { describe, expect, it } from "vitest";
import { createSlotTracker } from "./slot-tracker.js";

describe("createSlotTracker", () => {
  it("reports every slot once, then only changes, and repeats a change that was not stored", () => {
    const tracker = createSlotTracker({ offlineAfter: 2 });
    const first = tracker.observe("u1", ["a", "b"], { ok: true, occupied: [false, true] });
    expect(first.changes).toEqual([
      { slot: "a", occupied: false },
      { slot: "b", occupied: true },
    ]);
    tracker.reported(first.changes);
    expect(tracker.observe("u1", ["a", "b"], { ok: true, occupied: [false, true] }).changes).toEqual([]);
    const flip = tracker.observe("u1", ["a", "b"], { ok: true, occupied: [true, true] });
    expect(flip.changes).toEqual([{ slot: "a", occupied: true }]);
    // Not reported (the buffer refused it): the next poll reports it again.
    expect(tracker.observe("u1", ["a", "b"], { ok: true, occupied: [true, true] }).changes).toEqual([
      { slot: "a", occupied: true },
    ]);
  });

  it("marks a sensor offline after N failures in a row, once, and back with its first answer", () => {
    const tracker = createSlotTracker({ offlineAfter: 2 });
    tracker.reported(tracker.observe("u1", ["a"], { ok: true, occupied: [false] }).changes);
    expect(tracker.observe("u1", ["a"], { ok: false })).toEqual({ changes: [] });
    expect(tracker.observe("u1", ["a"], { ok: true, occupied: [false] })).toEqual({ changes: [] });
    expect(tracker.observe("u1", ["a"], { ok: false })).toEqual({ changes: [] });
    expect(tracker.observe("u1", ["a"], { ok: false })).toEqual({ changes: [], online: false });
    expect(tracker.observe("u1", ["a"], { ok: false })).toEqual({ changes: [] });
    expect(tracker.observe("u1", ["a"], { ok: true, occupied: [true] })).toEqual({
      changes: [{ slot: "a", occupied: true }],
      online: true,
    });
  });

  it("takes every online sensor offline when the bus is lost", () => {
    const tracker = createSlotTracker({ offlineAfter: 3 });
    tracker.observe("u1", ["a"], { ok: true, occupied: [false] });
    tracker.observe("u2", ["b"], { ok: true, occupied: [false] });
    expect(tracker.busLost()).toEqual(["u1", "u2"]);
    expect(tracker.busLost()).toEqual([]);
    expect(tracker.observe("u1", ["a"], { ok: true, occupied: [false] }).online).toBe(true);
  });
});
