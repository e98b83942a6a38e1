import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Beam, type BeamPairOptions, createBeamPair } from "./beam-pair.js";

const OPTIONS: BeamPairOptions = { debounceMs: 20, gapMs: 300, maxPassMs: 60_000 };
const D = OPTIONS.debounceMs;

interface RawEdge {
  beam: Beam;
  active: boolean;
  t: number;
}

/** Feeds raw edges in time order, then lets all time pass; returns the crossing directions. */
function run(edges: RawEdge[], options = OPTIONS) {
  const pair = createBeamPair(options);
  const directions: number[] = [];
  const abandoned: string[] = [];
  const collect = (out: ReturnType<typeof pair.tick>) => {
    directions.push(...out.crossings.map((crossing) => crossing.direction));
    abandoned.push(...out.abandoned.map((pass) => pass.reason));
  };
  for (const edge of [...edges].sort((x, y) => x.t - y.t)) collect(pair.edge(edge.beam, edge.active, edge.t));
  collect(pair.tick(Number.MAX_SAFE_INTEGER));
  return { directions, abandoned };
}

const other = (beam: Beam): Beam => (beam === "a" ? "b" : "a");

type Kind = "overlap" | "gap" | "backed-out" | "one-beam";
interface PassSpec {
  kind: Kind;
  direction: 1 | -1;
  /** Durations between the pass's edges, each long enough to survive debounce and keep the order. */
  steps: [number, number, number];
}

const step = fc.integer({ min: 3 * D, max: 20 * D });
const passSpec = fc.record({
  kind: fc.constantFrom<Kind>("overlap", "gap", "backed-out", "one-beam"),
  direction: fc.constantFrom<1 | -1>(1, -1),
  steps: fc.tuple(step, step, fc.integer({ min: 3 * D, max: OPTIONS.gapMs - 2 * D })),
});

/** Raw edges of a series of passes, each starting after the previous one is decided. */
function edgesOf(passes: PassSpec[]): { edges: RawEdge[]; expected: number[] } {
  const edges: RawEdge[] = [];
  const expected: number[] = [];
  let t = 1000;
  for (const { kind, direction, steps } of passes) {
    const first: Beam = direction === 1 ? "a" : "b";
    const second = other(first);
    const [s1, s2, s3] = steps;
    const add = (beam: Beam, active: boolean, dt: number) => {
      t += dt;
      edges.push({ beam, active, t });
    };
    add(first, true, 0);
    if (kind === "overlap") {
      add(second, true, s1);
      add(first, false, s2);
      add(second, false, s1);
      expected.push(direction);
    } else if (kind === "gap") {
      add(first, false, s1);
      add(second, true, s3);
      add(second, false, s2);
      expected.push(direction);
    } else if (kind === "backed-out") {
      add(second, true, s1);
      add(second, false, s2);
      add(first, false, s1);
    } else {
      add(first, false, s1);
    }
    t += OPTIONS.gapMs + 3 * D;
  }
  return { edges, expected };
}

/** Contact bounce right after each edge: back and forth within the debounce period. */
function withBounces(edges: RawEdge[], bounces: number[]): RawEdge[] {
  return edges.flatMap((edge, index) => {
    const width = bounces[index % bounces.length] ?? 0;
    if (width === 0) return [edge];
    return [
      edge,
      { beam: edge.beam, active: !edge.active, t: edge.t + 1 },
      { beam: edge.beam, active: edge.active, t: edge.t + 1 + width },
    ];
  });
}

describe("createBeamPair", () => {
  it("counts A then B as in (1) and B then A as out (-1)", () => {
    const inPass = [
      { beam: "a", active: true, t: 0 },
      { beam: "b", active: true, t: 100 },
      { beam: "a", active: false, t: 200 },
      { beam: "b", active: false, t: 300 },
    ] satisfies RawEdge[];
    expect(run(inPass).directions).toEqual([1]);
    expect(run(inPass.map((edge) => ({ ...edge, beam: other(edge.beam) }))).directions).toEqual([-1]);
  });

  it("property: every completed pass is counted once with its direction, abandoned ones not at all", () => {
    fc.assert(
      fc.property(fc.array(passSpec, { maxLength: 12 }), (passes) => {
        const { edges, expected } = edgesOf(passes);
        expect(run(edges).directions).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it("property: contact bounces shorter than the debounce period change nothing", () => {
    fc.assert(
      fc.property(
        fc.array(passSpec, { minLength: 1, maxLength: 8 }),
        fc.array(fc.integer({ min: 0, max: D - 3 }), { minLength: 1, maxLength: 5 }),
        (passes, bounces) => {
          const { edges, expected } = edgesOf(passes);
          expect(run(withBounces(edges, bounces)).directions).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("property: a glitch shorter than the debounce period never starts a pass", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            beam: fc.constantFrom<Beam>("a", "b"),
            at: fc.integer({ min: 0, max: 100_000 }),
            width: fc.integer({ min: 1, max: D - 1 }),
          }),
          { maxLength: 30 },
        ),
        (glitches) => {
          // Spaced so that no two glitches overlap on the same beam.
          const edges = glitches.flatMap((glitch, index) => {
            const t = index * 4 * D + (glitch.at % D);
            return [
              { beam: glitch.beam, active: true, t },
              { beam: glitch.beam, active: false, t: t + glitch.width },
            ];
          });
          expect(run(edges)).toEqual({ directions: [], abandoned: [] });
        },
      ),
      { numRuns: 200 },
    );
  });

  it("settles a break before a clear that began at the same instant, whichever beam is called A", () => {
    // Found by the property below: both beams broken at once, A cleared for exactly the debounce,
    // then A broken again as B cleared. The pass goes on in both namings instead of ending in one.
    const edges: RawEdge[] = [
      { beam: "a", active: true, t: 0 },
      { beam: "b", active: true, t: 0 },
      { beam: "a", active: false, t: D },
      { beam: "a", active: true, t: 2 * D },
      { beam: "b", active: false, t: 2 * D },
    ];
    const swapped = edges.map((edge) => ({ ...edge, beam: other(edge.beam) }));
    expect(run(swapped)).toEqual(run(edges));
    expect(run(edges)).toEqual({ directions: [], abandoned: [] });
  });

  it("property: swapping the beams reverses every direction, for any edge sequence", () => {
    const rawEdges = fc
      .array(
        fc.record({
          beam: fc.constantFrom<Beam>("a", "b"),
          active: fc.boolean(),
          dt: fc.integer({ min: 0, max: 400 }),
        }),
        {
          maxLength: 60,
        },
      )
      .map((items) => {
        let t = 0;
        return items.map(({ beam, active, dt }) => {
          t += dt;
          return { beam, active, t };
        });
      });
    fc.assert(
      fc.property(rawEdges, (edges) => {
        const straight = run(edges);
        const swapped = run(edges.map((edge) => ({ ...edge, beam: other(edge.beam) })));
        expect(swapped.directions).toEqual(straight.directions.map((direction) => -direction));
        expect(swapped.abandoned).toEqual(straight.abandoned);
      }),
      { numRuns: 300 },
    );
  });

  it("reports a car that backs out, a single beam and a lingering pass as abandoned", () => {
    const backedOut = [
      { beam: "a", active: true, t: 0 },
      { beam: "b", active: true, t: 100 },
      { beam: "b", active: false, t: 200 },
      { beam: "a", active: false, t: 300 },
    ] satisfies RawEdge[];
    expect(run(backedOut)).toEqual({ directions: [], abandoned: ["backed-out"] });
    expect(
      run([
        { beam: "a", active: true, t: 0 },
        { beam: "a", active: false, t: 100 },
      ]),
    ).toEqual({ directions: [], abandoned: ["one-beam"] });
    const slow = [
      { beam: "a", active: true, t: 0 },
      { beam: "b", active: true, t: 100 },
      { beam: "a", active: false, t: 200 },
      { beam: "b", active: false, t: 70_000 },
    ] satisfies RawEdge[];
    expect(run(slow)).toEqual({ directions: [], abandoned: ["too-long"] });
  });

  it("asks for a tick at the debounce and gap deadlines", () => {
    const pair = createBeamPair(OPTIONS);
    pair.edge("a", true, 0);
    expect(pair.deadline()).toBe(D);
    pair.tick(D);
    pair.edge("a", false, 100);
    pair.tick(100 + D);
    expect(pair.deadline()).toBe(100 + OPTIONS.gapMs + D);
    expect(pair.tick(100 + OPTIONS.gapMs + D).abandoned).toEqual([{ reason: "one-beam", at: 0 }]);
    expect(pair.deadline()).toBeNull();
  });
});
