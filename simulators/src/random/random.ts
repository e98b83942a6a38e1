import { LotwatchError } from "@lotwatch/protocol/errors.js";

/** A deterministic source of randomness: the same seed always yields the same sequence. */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max], both ends included. */
  int(min: number, max: number): number;
  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T;
  /** True with probability p (0 never, 1 always). */
  chance(p: number): boolean;
}

/**
 * mulberry32: 32 bits of state, fast, and good enough for simulations (not for secrets). Seeds
 * beyond 32 bits are folded in, so 1 and 2^32 + 1 give different sequences.
 */
export function createRandom(seed: number): Random {
  if (!Number.isSafeInteger(seed)) {
    throw new LotwatchError("BAD_SEED", `seed must be a safe integer, got ${seed}`);
  }
  const high = Math.floor(seed / 2 ** 32);
  let state = (seed ^ Math.imul(high, 0x9e3779b9)) >>> 0;

  const next = (): number => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };

  return {
    next,
    int(min, max) {
      if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || min > max) {
        throw new LotwatchError(
          "BAD_RANGE",
          `int(min, max) needs integers with min ≤ max, got ${min}, ${max}`,
        );
      }
      return min + Math.floor(next() * (max - min + 1));
    },
    pick(items) {
      if (items.length === 0) throw new LotwatchError("BAD_RANGE", "pick() needs a non-empty array");
      return items[Math.floor(next() * items.length)] as (typeof items)[number];
    },
    chance(p) {
      return next() < p;
    },
  };
}
