import { z } from "zod";

/** Parameter schemas with messages that say what is expected and what was given. */

const TIME_EXAMPLE = "2026-11-22T10:00:00Z";

const got = (input: unknown) => `got "${String(input)}"`;

/** An ISO-8601 time with a zone (`Z` or `+01:00`), kept as text. */
export function isoTimeParam(description: string) {
  return z.iso
    .datetime({
      offset: true,
      error: (issue) => `"${String(issue.input)}" is not an ISO-8601 time such as ${TIME_EXAMPLE}`,
    })
    .describe(description);
}

/** A whole number from `min` to `max`, given as decimal digits; `fallback` only documents the default. */
export function wholeNumberParam(min: number, max: number, description: string, fallback?: number) {
  const rule = `must be a whole number from ${min} to ${max}`;
  return z
    .string()
    .transform((text, ctx) => {
      const value = Number(text);
      if (/^\d+$/.test(text) && value >= min && value <= max) return value;
      ctx.addIssue({ code: "custom", message: `${rule}, ${got(text)}` });
      return z.NEVER;
    })
    .meta({
      type: "integer",
      minimum: min,
      maximum: max,
      description: fallback === undefined ? description : `${description} (default ${fallback})`,
    });
}

/** One of a few words. */
export function choiceParam<const T extends readonly [string, ...string[]]>(values: T, description: string) {
  return z
    .enum(values, { error: (issue) => `must be one of ${values.join(", ")}, ${got(issue.input)}` })
    .describe(description);
}

/** A path segment naming a site, space or other id; whether it exists is the handler's question. */
export function idParam(description: string) {
  return z.string().min(1).describe(description);
}
