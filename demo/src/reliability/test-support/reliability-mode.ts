/**
 * Quick mode is what `npm test` runs (the reliability tests in a few minutes on two cores);
 * `LOTWATCH_RELIABILITY=long` (`npm run test:reliability:long`, `npm run chaos -- --long`) runs the
 * issue's full figures.
 */
export const RELIABILITY_MODE: "quick" | "long" =
  process.env.LOTWATCH_RELIABILITY === "long" ? "long" : "quick";

const FIGURES = {
  quick: {
    /** Ingest SIGKILLs while commits are in flight (the 100 in long mode). */
    pubackKills: 6,
    pubackRate: 500,
    /** Readings pending in the buffer when it is damaged. */
    corruptPending: 3_000,
    /** Seconds of the fuzzers' runs per parser. */
    fuzzRuns: 300,
    /** Readings of each write-budget phase. */
    writeBudgetReadings: 20_000,
    /** Faults of the chaos run (rounds of five kinds); about 5 s each. */
    chaosSteps: 10,
    chaosRate: 1_000,
    /** The closing outage whose backlog gives the drain rate. */
    chaosDrainCutMs: 5_000,
  },
  long: {
    pubackKills: 100,
    pubackRate: 1_000,
    corruptPending: 50_000,
    fuzzRuns: 20_000,
    writeBudgetReadings: 200_000,
    chaosSteps: 200,
    chaosRate: 2_000,
    chaosDrainCutMs: 60_000,
  },
} as const;

export const figures = FIGURES[RELIABILITY_MODE];

/** `LOTWATCH_RELIABILITY_SEED` replays a run's random moments; otherwise a fresh seed, printed with the figures. */
export const RELIABILITY_SEED = Number(
  process.env.LOTWATCH_RELIABILITY_SEED ?? Math.floor(Math.random() * 2 ** 31),
);

/** One line in the CI log per test: what was done and how fast. */
export function report(test: string, values: Record<string, string | number>): void {
  const parts = Object.entries(values).map(([key, value]) => `${key}=${value}`);
  console.log(`[reliability:${RELIABILITY_MODE}] ${test}: ${parts.join(" ")}`);
}
