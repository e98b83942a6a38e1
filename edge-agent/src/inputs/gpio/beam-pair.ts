import { createDebouncedLine, type DebouncedLine } from "./debounced-line.js";

export type Beam = "a" | "b";

/** A completed pass: 1 = A then B (in), -1 = B then A (out); `at` is when its first beam was broken. */
export interface Crossing {
  direction: 1 | -1;
  at: number;
}

/** A pass that counted nothing, and why. */
export interface Abandoned {
  reason: "backed-out" | "one-beam" | "too-long" | "simultaneous";
  at: number;
}

export interface BeamPairOptions {
  /** A raw change must hold this long to count (bounce rejection). */
  debounceMs: number;
  /** After both beams clear having seen only one of them, how long to wait for the other. */
  gapMs: number;
  /** A pass longer than this (first break to last clear) counts nothing: something lingered. */
  maxPassMs: number;
}

export interface BeamPairOutput {
  crossings: Crossing[];
  abandoned: Abandoned[];
}

export interface BeamPair {
  /** A raw edge of beam A or B at time t (ms, non-decreasing); active = beam broken. */
  edge(beam: Beam, active: boolean, t: number): BeamPairOutput;
  /** Time passes without edges: settles debounced changes and expired gaps due by t. */
  tick(t: number): BeamPairOutput;
  /** When tick() next has something to do, or null. */
  deadline(): number | null;
}

interface Pass {
  startedAt: number;
  /** When each beam was first broken in this pass. */
  firstBreak: Partial<Record<Beam, number>>;
  /** When each beam was last cleared. */
  lastClear: Partial<Record<Beam, number>>;
  broken: Set<Beam>;
  /** Set while both beams are clear after a one-beam pass: the gap's end. */
  gapEndsAt: number | null;
}

/**
 * The direction of a pair of light beams across a doorway or lane, as a pure state machine over
 * timestamped raw edges. A pass starts when a beam is broken and ends when both are clear again:
 * it counts 1 when it began at A and ended at B, -1 for B then A. A pass that began and ended at
 * the same beam (a car that backed out) counts nothing; so does one that only ever broke one beam
 * (unless the other is broken within `gapMs`), or one longer than `maxPassMs`.
 */
export function createBeamPair(options: BeamPairOptions): BeamPair {
  const lines: Record<Beam, DebouncedLine> = {
    a: createDebouncedLine(options.debounceMs),
    b: createDebouncedLine(options.debounceMs),
  };
  let pass: Pass | null = null;

  function onStable(beam: Beam, broken: boolean, t: number, out: BeamPairOutput): void {
    if (broken) {
      // A break after the gap ended belongs to a new pass, however late it was confirmed.
      if (pass?.gapEndsAt != null && t > pass.gapEndsAt) finish(pass.gapEndsAt, out);
      if (pass === null) {
        pass = {
          startedAt: t,
          firstBreak: { [beam]: t },
          lastClear: {},
          broken: new Set([beam]),
          gapEndsAt: null,
        };
        return;
      }
      pass.firstBreak[beam] ??= t;
      pass.broken.add(beam);
      pass.gapEndsAt = null;
      return;
    }
    if (pass === null) return;
    pass.broken.delete(beam);
    pass.lastClear[beam] = t;
    if (pass.broken.size > 0) return;
    if (Object.keys(pass.firstBreak).length === 1 && options.gapMs > 0) {
      pass.gapEndsAt = t + options.gapMs;
      return;
    }
    finish(t, out);
  }

  function finish(t: number, out: BeamPairOutput): void {
    if (pass === null) return;
    const ended = pass;
    pass = null;
    const result = verdict(ended, t);
    if (result === 1 || result === -1) out.crossings.push({ direction: result, at: ended.startedAt });
    else out.abandoned.push({ reason: result, at: ended.startedAt });
  }

  function verdict(ended: Pass, t: number): 1 | -1 | Abandoned["reason"] {
    if (t - ended.startedAt > options.maxPassMs) return "too-long";
    const { a: aBroke, b: bBroke } = ended.firstBreak;
    const { a: aCleared, b: bCleared } = ended.lastClear;
    if (aBroke === undefined || bBroke === undefined || aCleared === undefined || bCleared === undefined) {
      return "one-beam";
    }
    // Edges at the same instant on both beams say nothing about the order.
    if (aBroke === bBroke || aCleared === bCleared) return "simultaneous";
    const first: Beam = aBroke < bBroke ? "a" : "b";
    const last: Beam = aCleared > bCleared ? "a" : "b";
    if (first === last) return "backed-out";
    return first === "a" ? 1 : -1;
  }

  /** The gap is decided only once a break that began inside it would have been confirmed. */
  function gapDeadline(): number | null {
    return pass?.gapEndsAt == null ? null : pass.gapEndsAt + options.debounceMs;
  }

  function lineDeadline(): { beam: Beam; due: number } | null {
    const aDue = lines.a.deadline();
    const bDue = lines.b.deadline();
    if (aDue === null && bDue === null) return null;
    if (bDue === null) return { beam: "a", due: aDue as number };
    if (aDue === null || bDue < aDue) return { beam: "b", due: bDue };
    if (aDue < bDue) return { beam: "a", due: aDue };
    // Changes that began at the same instant: a break before a clear (a stable line that is clear
    // has a break pending), so the pass goes on rather than ending for no time at all. Which beam is
    // called A must not decide it: the other way round, a swapped pair ended passes the straight
    // one continued.
    const beam: Beam = !lines.a.active || lines.b.active ? "a" : "b";
    return { beam, due: aDue };
  }

  function deadline(): number | null {
    const line = lineDeadline()?.due ?? null;
    const gap = gapDeadline();
    if (line === null) return gap;
    return gap === null ? line : Math.min(line, gap);
  }

  /** Applies everything due by t, earliest first, so A and B keep their true order. */
  function advance(t: number, out: BeamPairOutput): void {
    for (;;) {
      const line = lineDeadline();
      const gap = gapDeadline();
      if (line !== null && line.due <= t && (gap === null || line.due <= gap)) {
        const began = lines[line.beam].settle(line.due);
        if (began !== null) onStable(line.beam, lines[line.beam].active, began, out);
        continue;
      }
      if (gap !== null && gap <= t && pass?.gapEndsAt != null) {
        finish(pass.gapEndsAt, out);
        continue;
      }
      return;
    }
  }

  const empty = (): BeamPairOutput => ({ crossings: [], abandoned: [] });
  return {
    edge(beam, active, t) {
      const out = empty();
      advance(t, out);
      lines[beam].edge(active, t);
      return out;
    },
    tick(t) {
      const out = empty();
      advance(t, out);
      return out;
    },
    deadline,
  };
}
