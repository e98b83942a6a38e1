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
  /**
   * Chance per chunk that it is lost on the wire. TCP hides a lost segment by sending it again, so
   * a lost chunk arrives late: after `retransmitMs`, doubled for each further loss of it (at most 6
   * in a row), and everything behind it waits (head-of-line blocking), as on a real lossy link.
   */
  lossProbability: number;
  /** The first retransmission timeout (Linux's minimum RTO is 200 ms). */
  retransmitMs: number;
}

export const OPEN_LINK: LinkConditions = {
  state: "open",
  cutMode: "refuse",
  latencyMs: 0,
  bytesPerSecond: 0,
  dropProbability: 0,
  lossProbability: 0,
  retransmitMs: 200,
};

export const BAD_CONDITION = "BAD_CONDITION";

/** Throws a BAD_CONDITION naming the setting when a value is out of range. */
export function checkConditions(conditions: Partial<LinkConditions>): void {
  const { latencyMs, bytesPerSecond, dropProbability, lossProbability, retransmitMs } = conditions;
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
  // Below 1: a chunk lost every time would never arrive.
  if (lossProbability !== undefined && !(lossProbability >= 0 && lossProbability < 1)) {
    throw new LotwatchError(BAD_CONDITION, `lossProbability must be ≥ 0 and < 1, got ${lossProbability}`);
  }
  if (retransmitMs !== undefined && !(Number.isFinite(retransmitMs) && retransmitMs >= 0)) {
    throw new LotwatchError(BAD_CONDITION, `retransmitMs must be a number ≥ 0, got ${retransmitMs}`);
  }
}
