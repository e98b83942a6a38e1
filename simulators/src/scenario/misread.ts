import type { Random } from "../random/random.js";

/**
 * One-character misreads an ANPR camera makes, each within a confusable group of DESIGN.md
 * (O/0/D/Q, I/1/L, B/8, S/5, Z/2, G/6). Fresh plates keep letters and digits in fixed positions, so
 * a misread (a digit where a letter was, or the reverse) can only fuzzy-match its own plate.
 */
const SWAPS: Readonly<Record<string, string>> = {
  D: "0",
  "0": "D",
  L: "1",
  "1": "L",
  B: "8",
  "8": "B",
  S: "5",
  "5": "S",
  Z: "2",
  "2": "Z",
  G: "6",
  "6": "G",
};

/** The plate with one confusable character swapped, or undefined when it has none. */
export function misreadPlate(plate: string, random: Random): string | undefined {
  const positions = [...plate].flatMap((ch, index) => (SWAPS[ch] === undefined ? [] : [index]));
  if (positions.length === 0) return undefined;
  const index = random.pick(positions);
  const ch = plate[index] as string;
  return `${plate.slice(0, index)}${SWAPS[ch]}${plate.slice(index + 1)}`;
}
