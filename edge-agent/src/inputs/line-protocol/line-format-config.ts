import { NAME_PATTERN } from "@lotwatch/protocol/ids.js";
import { z } from "zod";
import { intInRange, positiveInt } from "../../config/fields.js";

/** Reading fields a delimited line can carry, in any order; `_` skips a column. */
export const DELIMITED_FIELDS = [
  "type",
  "occurredAt",
  "plate",
  "confidence",
  "lane",
  "door",
  "direction",
  "count",
  "slot",
  "occupied",
  "_",
] as const;
export type DelimitedField = (typeof DELIMITED_FIELDS)[number];

export const DelimitedConfigSchema = z.strictObject({
  separator: z
    .string({ error: 'expected a separator string such as ";"' })
    .min(1, { error: "must not be empty" }),
  fields: z
    .array(z.enum(DELIMITED_FIELDS, { error: `expected one of ${DELIMITED_FIELDS.join(", ")}` }), {
      error: "expected a list of field names",
    })
    .min(1, { error: "expected at least one field" }),
});
export type DelimitedConfig = z.infer<typeof DelimitedConfigSchema>;

/** Keys every line-based input (serial, tcp-serial) shares. */
export const lineInputKeys = {
  /** Defaults to `<type>-<index>`. */
  name: z
    .string({ error: "expected a name" })
    .regex(NAME_PATTERN, { error: "expected 1-64 letters, digits, '_', '.', '-'" })
    .optional(),
  format: z.enum(["jsonl", "delimited"], { error: "expected jsonl or delimited" }),
  delimited: DelimitedConfigSchema.optional(),
  maxLineLength: positiveInt(1_048_576).default(4096),
  /**
   * NMEA-style `*HH` suffix (XOR of the bytes after an optional leading `$`): `none` leaves lines
   * as they are, `optional` checks and strips a suffix when there is one, `required` refuses lines
   * without a valid one.
   */
  checksum: z
    .enum(["none", "optional", "required"], { error: "expected none, optional or required" })
    .default("none"),
  /** First reopen delay after the source vanished; doubles up to reopenMaxMs. */
  reopenMinMs: intInRange(10, 600_000).default(500),
  reopenMaxMs: intInRange(10, 3_600_000).default(10_000),
};

export type ChecksumMode = "none" | "optional" | "required";
export type LineFormat = ({ format: "jsonl" } | { format: "delimited"; delimited: DelimitedConfig }) & {
  checksum?: ChecksumMode;
};

/** Refinement shared by line inputs: `delimited` goes with `format: delimited`, and only with it. */
export function checkLineInput(
  input: {
    format: string;
    delimited?: DelimitedConfig | undefined;
    reopenMinMs: number;
    reopenMaxMs: number;
  },
  ctx: z.RefinementCtx,
): void {
  if (input.reopenMinMs > input.reopenMaxMs) {
    ctx.addIssue({ code: "custom", path: ["reopenMinMs"], message: "must not exceed reopenMaxMs" });
  }
  if (input.format === "delimited" && input.delimited === undefined) {
    ctx.addIssue({ code: "custom", path: ["delimited"], message: "required when format is delimited" });
  }
  if (input.format !== "delimited" && input.delimited !== undefined) {
    ctx.addIssue({ code: "custom", path: ["delimited"], message: "only allowed when format is delimited" });
  }
}

/** The parser settings of a validated line input. */
export function lineFormatOf(input: {
  format: "jsonl" | "delimited";
  delimited?: DelimitedConfig | undefined;
  checksum: ChecksumMode;
}): LineFormat {
  if (input.format === "delimited" && input.delimited !== undefined) {
    return { format: "delimited", delimited: input.delimited, checksum: input.checksum };
  }
  return { format: "jsonl", checksum: input.checksum };
}
