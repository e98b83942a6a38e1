import { createDebouncedLine } from "./debounced-line.js";

export interface LoopDetector {
  /** A raw edge (active = vehicle over the loop); returns the times of vehicles that arrived. */
  edge(active: boolean, t: number): number[];
  tick(t: number): number[];
  deadline(): number | null;
}

/** An induction loop: one vehicle each time the debounced line becomes active. */
export function createLoopDetector(debounceMs: number): LoopDetector {
  const line = createDebouncedLine(debounceMs);
  function advance(t: number): number[] {
    const began = line.settle(t);
    return began !== null && line.active ? [began] : [];
  }
  return {
    edge(active, t) {
      const arrivals = advance(t);
      line.edge(active, t);
      return arrivals;
    },
    tick: advance,
    deadline: () => line.deadline(),
  };
}
