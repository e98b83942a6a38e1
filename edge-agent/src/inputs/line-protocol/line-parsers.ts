import { type Reading, ReadingSchema } from "@lotwatch/protocol/events.js";
import { formatIssues } from "@lotwatch/protocol/issues.js";
import type { DelimitedConfig, DelimitedField, LineFormat } from "./line-format-config.js";

export type ParseFailureReason = "encoding" | "json" | "fields" | "schema" | "checksum";

export type ParseResult =
  | { ok: true; reading: Reading }
  | { ok: false; reason: ParseFailureReason; detail: string }
  | { ok: "blank" };

export type LineParser = (line: Buffer) => ParseResult;

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Decodes and parses one framed line; blank lines are neither readings nor errors. */
export function createLineParser(format: LineFormat): LineParser {
  const parseText = format.format === "jsonl" ? parseJsonl : createDelimitedParser(format.delimited);
  return (line) => {
    const controlAt = line.findIndex((byte) => (byte < 0x20 && byte !== 0x09) || byte === 0x7f);
    if (controlAt !== -1) {
      return {
        ok: false,
        reason: "encoding",
        detail: `control byte 0x${hex(line[controlAt])} at offset ${controlAt}`,
      };
    }
    let text: string;
    try {
      text = utf8.decode(line);
    } catch {
      return { ok: false, reason: "encoding", detail: "not UTF-8 text" };
    }
    if (text.trim() === "") return { ok: "blank" };
    const checked = checkChecksum(text, format.checksum ?? "none");
    if (typeof checked !== "string") return checked;
    return parseText(checked);
  };
}

const CHECKSUM_SUFFIX = /\*([0-9A-Fa-f]{2})\s*$/;

/**
 * NMEA 0183's checksum: the XOR of every byte between the optional leading `$` and the `*`, as two
 * hex digits. Returns the line without `$` and suffix, or why it was refused.
 */
function checkChecksum(text: string, mode: "none" | "optional" | "required"): string | ParseResult {
  if (mode === "none") return text;
  const suffix = CHECKSUM_SUFFIX.exec(text);
  if (suffix === null) {
    if (mode === "optional") return text;
    return { ok: false, reason: "checksum", detail: "no *HH checksum at the end of the line" };
  }
  const body = text.slice(text.startsWith("$") ? 1 : 0, suffix.index);
  let sum = 0;
  for (const byte of Buffer.from(body, "utf8")) sum ^= byte;
  const expected = Number.parseInt(suffix[1] as string, 16);
  if (sum !== expected) {
    return {
      ok: false,
      reason: "checksum",
      detail: `checksum *${hex(expected)} does not match the line's *${hex(sum)}`,
    };
  }
  return body;
}

function parseJsonl(text: string): ParseResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: "json", detail: (error as Error).message };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, reason: "schema", detail: "expected one JSON object per line" };
  }
  return validate(value);
}

const NUMBER_FIELDS = new Set<DelimitedField>(["confidence", "direction", "count"]);
const BOOLEAN_FIELDS = new Set<DelimitedField>(["occupied"]);
const TRUE_WORDS = new Set(["true", "1", "yes", "on"]);
const FALSE_WORDS = new Set(["false", "0", "no", "off"]);

/** Values in the configured field order; numbers and booleans coerced by field; empty values omitted. */
function createDelimitedParser(config: DelimitedConfig): (text: string) => ParseResult {
  return (text) => {
    const values = text.split(config.separator);
    if (values.length !== config.fields.length) {
      return {
        ok: false,
        reason: "fields",
        detail: `expected ${config.fields.length} fields separated by ${JSON.stringify(config.separator)}, got ${values.length}`,
      };
    }
    const reading: Record<string, unknown> = {};
    config.fields.forEach((field, index) => {
      const value = (values[index] ?? "").trim();
      if (field === "_" || value === "") return;
      reading[field] = coerce(field, value);
    });
    return validate(reading);
  };
}

function coerce(field: DelimitedField, value: string): unknown {
  if (NUMBER_FIELDS.has(field)) {
    const number = Number(value);
    return Number.isNaN(number) ? value : number;
  }
  if (BOOLEAN_FIELDS.has(field)) {
    const word = value.toLowerCase();
    if (TRUE_WORDS.has(word)) return true;
    if (FALSE_WORDS.has(word)) return false;
  }
  return value;
}

function validate(value: unknown): ParseResult {
  const result = ReadingSchema.safeParse(value);
  if (!result.success) return { ok: false, reason: "schema", detail: formatIssues(result.error) };
  return { ok: true, reading: result.data };
}

function hex(byte: number | undefined): string {
  return (byte ?? 0).toString(16).padStart(2, "0");
}
