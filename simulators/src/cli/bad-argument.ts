import { LotwatchError } from "@lotwatch/protocol/errors.js";

/** A command-line mistake: the CLI prints the message and exits with 2. */
export const BAD_ARGUMENT = "BAD_ARGUMENT";

export function badArgument(message: string): LotwatchError {
  return new LotwatchError(BAD_ARGUMENT, message);
}

export function parseNumber(
  flag: string,
  raw: string,
  rule: (n: number) => boolean,
  expected: string,
): number {
  const value = raw.trim() === "" ? Number.NaN : Number(raw);
  if (!rule(value)) throw badArgument(`${flag} must be ${expected}, got "${raw}"`);
  return value;
}
