import type { Random } from "@lotwatch/simulators/random/random.js";

/** One fault of a chaos run and how long it lasts before things are put back. */
export type ChaosFault =
  | { kind: "link-cut"; ms: number }
  | { kind: "link-stall"; ms: number }
  | { kind: "broker-restart" }
  | { kind: "ingest-kill" }
  | { kind: "agent-kill" };

export interface ChaosStep {
  /** Calm time before the fault, while the lossy, slow link carries traffic. */
  calmMs: number;
  fault: ChaosFault;
}

/**
 * A seeded schedule of faults, repeating one round of each kind in a shuffled order, so every
 * kind happens in every run however short: link cuts and stalls alternate with broker restarts
 * (the ingest's SIGTERM: its embedded broker goes down cleanly) and SIGKILLs of the ingest and the
 * agent, a few seconds apart.
 */
export function chaosSchedule(random: Random, steps: number): ChaosStep[] {
  const round = (): ChaosFault[] => [
    { kind: "link-cut", ms: random.int(500, 3_000) },
    { kind: "broker-restart" },
    { kind: "link-stall", ms: random.int(500, 2_000) },
    { kind: "ingest-kill" },
    { kind: "agent-kill" },
  ];
  const faults: ChaosFault[] = [];
  while (faults.length < steps) {
    const next = round();
    for (let i = next.length - 1; i > 0; i--) {
      const j = random.int(0, i);
      [next[i], next[j]] = [next[j] as ChaosFault, next[i] as ChaosFault];
    }
    faults.push(...next);
  }
  return faults.slice(0, steps).map((fault) => ({ calmMs: random.int(1_000, 3_000), fault }));
}
