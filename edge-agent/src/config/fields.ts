import { z } from "zod";
import { parseByteSize, parseDuration } from "./units.js";

// Environment overrides arrive as strings, so numeric keys also accept a string of digits.
const numeric = (value: unknown) =>
  typeof value === "string" && /^\s*-?\d+(\.\d+)?\s*$/.test(value) ? Number(value) : value;

export function positiveInt(max = Number.MAX_SAFE_INTEGER) {
  const message =
    max === Number.MAX_SAFE_INTEGER ? "expected a positive integer" : `expected an integer from 1 to ${max}`;
  return z.preprocess(
    numeric,
    z
      .number({ error: message })
      .int({ error: message })
      .min(1, { error: message })
      .max(max, { error: message }),
  );
}

export function intInRange(min: number, max: number) {
  const message = `expected an integer from ${min} to ${max}`;
  return z.preprocess(
    numeric,
    z
      .number({ error: message })
      .int({ error: message })
      .min(min, { error: message })
      .max(max, { error: message }),
  );
}

export const nonEmptyString = (what = "a non-empty string") =>
  z.string({ error: `expected ${what}` }).min(1, { error: `expected ${what}` });

export const byteSize = z
  .union([z.number(), z.string()], { error: 'expected a size such as "2GB" or "500MB"' })
  .transform((value, ctx) => {
    const bytes =
      typeof value === "number"
        ? Number.isSafeInteger(value) && value > 0
          ? value
          : null
        : parseByteSize(value);
    if (bytes === null) {
      ctx.issues.push({ code: "custom", input: value, message: 'expected a size such as "2GB" or "500MB"' });
      return z.NEVER;
    }
    return bytes;
  });

export const duration = z
  .string({ error: 'expected a duration such as "14d" or "12h"' })
  .transform((value, ctx) => {
    const ms = parseDuration(value);
    if (ms === null) {
      ctx.issues.push({
        code: "custom",
        input: value,
        message: 'expected a duration such as "14d" or "12h"',
      });
      return z.NEVER;
    }
    return ms;
  });

// Environment overrides arrive as strings, so a boolean key also accepts "true" and "false".
export const booleanFlag = z.preprocess(
  (value) => (value === "true" ? true : value === "false" ? false : value),
  z.boolean({ error: "expected true or false" }),
);

/** A byte size, or 0 (as a number or "0") to turn the feature off. */
export const byteSizeOrZero = z.preprocess(
  (value) => (value === "0" ? 0 : value),
  z.union([z.literal(0), byteSize]),
);

/** A byte size of at least `min` bytes. */
export function byteSizeAtLeast(min: number, what: string) {
  return byteSize.refine((bytes) => bytes >= min, { error: `must be at least ${what}` });
}
