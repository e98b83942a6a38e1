import { LotwatchError } from "@lotwatch/protocol/errors.js";

/**
 * What the link does to traffic. `open` forwards, `stalled` holds every byte (sockets stay up),
 * `cut` closes every connection and refuses (`refuse`) or silently swallows (`blackhole`) new ones.
 */
export type LinkState = "open" | "stalled" | "cut";
export type CutMode = "refuse" | "blackhole";

export interface LinkConditions {
  state: LinkState;
  /** How new connections are treated while cut. */
  cutMode: CutMode;
  /** Added to every chunk, each direction. */
  latencyMs: number;
  /** Per direction and connection; 0 = unlimited. */
  bytesPerSecond: number;
  /** Chance per forwarded chunk that its connection is reset instead. */
  dropProbability: number;
}

export const OPEN_LINK: LinkConditions = {
  state: "open",
  cutMode: "refuse",
  latencyMs: 0,
  bytesPerSecond: 0,
  dropProbability: 0,
};

export const BAD_CONDITION = "BAD_CONDITION";

/** Throws a BAD_CONDITION naming the setting when a value is out of range. */
export function checkConditions(conditions: Partial<LinkConditions>): void {
  const { latencyMs, bytesPerSecond, dropProbability } = conditions;
  if (latencyMs !== undefined && !(Number.isFinite(latencyMs) && latencyMs >= 0)) {
    throw new LotwatchError(BAD_CONDITION, `latencyMs must be a number ≥ 0, got ${latencyMs}`);
  }
  if (bytesPerSecond !== undefined && !(Number.isFinite(bytesPerSecond) && bytesPerSecond >= 0)) {
    throw new LotwatchError(
      BAD_CONDITION,
      `bytesPerSecond must be a number ≥ 0 (0 = unlimited), got ${bytesPerSecond}`,
    );
  }
  if (dropProbability !== undefined && !(dropProbability >= 0 && dropProbability <= 1)) {
    throw new LotwatchError(BAD_CONDITION, `dropProbability must be from 0 to 1, got ${dropProbability}`);
  }
}
