import { LotwatchError } from "@lotwatch/protocol/errors.js";
import type { Random } from "./random.js";

/** A seeded bijection of [0, size): distinct indexes always map to distinct values. */
export interface Permutation {
  readonly size: number;
  at(index: number): number;
}

const ROUNDS = 4;

/** A 32-bit integer hash (lowbias32): spreads nearby inputs far apart. */
function hash32(value: number): number {
  let x = value >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/**
 * A balanced Feistel network over the smallest even power of two ≥ size, with cycle walking to
 * stay inside [0, size). It gives unique pseudo-random values from a counter in O(1) memory, so an
 * endless scenario never has to remember every plate it has used.
 */
export function createPermutation(size: number, random: Random): Permutation {
  if (!Number.isSafeInteger(size) || size < 1 || size > 2 ** 52) {
    throw new LotwatchError("BAD_RANGE", `permutation size must be an integer in [1, 2^52], got ${size}`);
  }
  const halfBits = Math.max(1, Math.ceil(Math.ceil(Math.log2(size)) / 2));
  const half = 2 ** halfBits;
  const mask = half - 1;
  const keys = Array.from({ length: ROUNDS }, () => random.int(0, 2 ** 32 - 1));

  // Halves are at most 26 bits, so plain arithmetic stays exact; `& mask` is safe on them.
  const scramble = (value: number): number => {
    let left = Math.floor(value / half);
    let right = value % half;
    for (const key of keys) {
      const mixed = (left ^ (hash32(right ^ key) & mask)) & mask;
      left = right;
      right = mixed;
    }
    return left * half + right;
  };

  return {
    size,
    at(index) {
      if (!Number.isSafeInteger(index) || index < 0 || index >= size) {
        throw new LotwatchError("BAD_RANGE", `permutation index must be in [0, ${size}), got ${index}`);
      }
      let value = scramble(index);
      while (value >= size) value = scramble(value);
      return value;
    },
  };
}
