/**
 * Quick mode is what `npm test` runs (all fault tests within about two minutes on two cores);
 * `LOTWATCH_FAULTS=long` (`npm run test:faults:long`) runs the full figures.
 */
export const FAULT_MODE: "quick" | "long" = process.env.LOTWATCH_FAULTS === "long" ? "long" : "quick";

const FIGURES = {
  quick: {
    offlineReadings: 20_000,
    kills: 5,
    /** Readings per second while the agent is being killed. */
    crashRate: 3_000,
    /** Restarts of each kind (SIGTERM, SIGKILL) of the ingest. */
    ingestRestarts: 1,
    ingestRate: 2_000,
    flakyReadings: 5_000,
    /** Restarts of each kind (SIGTERM, SIGKILL) of the external Mosquitto. */
    brokerRestarts: 1,
    brokerRate: 2_000,
    /** Readings poured into a buffer capped at a few hundred KB while the link is cut. */
    capReadings: 15_000,
    /** Readings poured into a buffer on a 4 MB tmpfs while the link is cut. */
    diskFullReadings: 60_000,
  },
  long: {
    offlineReadings: 100_000,
    kills: 20,
    crashRate: 4_000,
    ingestRestarts: 3,
    ingestRate: 3_000,
    flakyReadings: 20_000,
    brokerRestarts: 3,
    brokerRate: 3_000,
    capReadings: 100_000,
    diskFullReadings: 200_000,
  },
} as const;

export const figures = FIGURES[FAULT_MODE];

/** `LOTWATCH_FAULTS_SEED` replays a run's random moments; otherwise a fresh seed, printed with the figures. */
export const FAULT_SEED = Number(process.env.LOTWATCH_FAULTS_SEED ?? Math.floor(Math.random() * 2 ** 31));

/** One line in the CI log per test: what was done and how fast. */
export function report(test: string, figures: Record<string, string | number>): void {
  const parts = Object.entries(figures).map(([key, value]) => `${key}=${value}`);
  console.log(`[faults:${FAULT_MODE}] ${test}: ${parts.join(" ")}`);
}

export function perSecond(count: number, ms: number): string {
  return `${Math.round((count * 1000) / Math.max(ms, 1))}/s`;
}
