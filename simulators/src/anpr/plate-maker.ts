import { LotwatchError } from "@lotwatch/protocol/errors.js";
import { createPermutation } from "../random/permutation.js";
import type { Random } from "../random/random.js";

/** `@` is a letter, `#` a digit, anything else is copied: "KA##@@####" → "KA01AB1234". */
export const DEFAULT_PLATE_FORMAT = "@@##@@####";

/**
 * Letters without I, O and Q (as many plate systems do). With letters and digits in fixed
 * positions this leaves no two plates that differ only by characters cameras confuse (D/O/0/Q,
 * I/1/L, …), so a fresh plate can never fuzzy-match another one at the ingest.
 */
const LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ";
const DIGITS = "0123456789";
const LITERAL = /^[A-Z0-9 -]$/;
const MAX_PLATE_LENGTH = 16;
const MAX_INDEX_SPACE = 2 ** 52;

export interface PlateMakerOptions {
  format?: string;
  random: Random;
}

/** Hands out plates in a seeded random order, never the same plate twice. */
export interface PlateMaker {
  /** How many distinct plates the format allows (capped at 2^52). */
  readonly capacity: number;
  next(): string;
}

export function createPlateMaker(options: PlateMakerOptions): PlateMaker {
  const format = options.format ?? DEFAULT_PLATE_FORMAT;
  const alphabets = parsePlateFormat(format);
  const capacity = Math.min(
    alphabets.reduce((product, alphabet) => product * (alphabet?.length ?? 1), 1),
    MAX_INDEX_SPACE,
  );
  const order = createPermutation(capacity, options.random);
  let issued = 0;

  return {
    capacity,
    next() {
      if (issued >= capacity) {
        throw new LotwatchError(
          "PLATE_SPACE_EXHAUSTED",
          `plate format "${format}" allows only ${capacity} distinct plates and all are used; add @ or # positions`,
        );
      }
      let index = order.at(issued++);
      let plate = "";
      // Mixed-radix decoding, last position fastest; literal positions take no part.
      for (let position = format.length - 1; position >= 0; position--) {
        const alphabet = alphabets[position];
        if (alphabet === undefined) {
          plate = format[position] + plate;
          continue;
        }
        plate = alphabet[index % alphabet.length] + plate;
        index = Math.floor(index / alphabet.length);
      }
      return plate;
    },
  };
}

/** The alphabet of each position of a format, `undefined` where the character is literal. */
export function parsePlateFormat(format: string): (string | undefined)[] {
  if (format.length === 0 || format.length > MAX_PLATE_LENGTH) {
    throw new LotwatchError(
      "BAD_PLATE_FORMAT",
      `plate format must be 1-${MAX_PLATE_LENGTH} characters, got "${format}"`,
    );
  }
  const alphabets = [...format].map((ch) => {
    if (ch === "@") return LETTERS;
    if (ch === "#") return DIGITS;
    if (LITERAL.test(ch)) return undefined;
    throw new LotwatchError(
      "BAD_PLATE_FORMAT",
      `plate format "${format}" has "${ch}"; use @ (letter), # (digit), or upper-case letters, digits, space, '-'`,
    );
  });
  if (alphabets.every((alphabet) => alphabet === undefined)) {
    throw new LotwatchError("BAD_PLATE_FORMAT", `plate format "${format}" needs at least one @ or #`);
  }
  return alphabets;
}
