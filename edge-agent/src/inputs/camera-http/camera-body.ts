import { type Reading, ReadingSchema } from "@lotwatch/protocol/events.js";
import { formatIssues } from "@lotwatch/protocol/issues.js";
import { z } from "zod";

export interface CameraBodyOptions {
  /** The lane of the URL; a read naming another lane is refused. */
  lane: string;
  /** Entry or exit camera: the type of reads that carry none (always the case for Plate Recognizer). */
  direction?: "in" | "out" | undefined;
  /** Most reads one request may carry. */
  maxReads: number;
}

export type CameraBody =
  | { ok: true; shape: "generic" | "platerecognizer"; readings: Reading[] }
  | { ok: false; code: "INVALID_READING"; message: string };

/** A generic read: a vehicle reading whose `type` and `lane` may come from the input's config and URL. */
const GenericReadSchema = z.object({
  type: z
    .enum(["vehicle.entry", "vehicle.exit"], { error: "type must be vehicle.entry or vehicle.exit" })
    .optional(),
  lane: z.string({ error: "lane must be a string" }).optional(),
  plate: z.unknown(),
  confidence: z.unknown().optional(),
  occurredAt: z.unknown().optional(),
});

/**
 * Plate Recognizer Stream / Snapshot "Data Only" webhook (https://guides.platerecognizer.com/docs/stream/results
 * and /docs/snapshot/results): `{ hook: {…}, data: { camera_id, timestamp, results: [{ plate, score, … }] } }`.
 * Only the fields used are checked; the rest (boxes, vehicle, region, candidates) is ignored.
 */
const PlateRecognizerSchema = z.object({
  hook: z.object({}, { error: "hook must be an object" }),
  data: z.object(
    {
      timestamp: z.string({ error: "timestamp must be a string" }).optional(),
      results: z.array(
        z.object({
          plate: z.string({ error: "plate must be a string" }),
          score: z.number({ error: "score must be a number" }).min(0).max(1).optional(),
        }),
        { error: "results must be a list" },
      ),
    },
    { error: "data must be an object" },
  ),
});

/** Turns a camera's JSON body (one read, a list of reads, or a Plate Recognizer webhook) into readings. */
export function parseCameraBody(body: unknown, options: CameraBodyOptions): CameraBody {
  if (isPlateRecognizer(body)) return parsePlateRecognizer(body, options);
  const reads = Array.isArray(body) ? body : [body];
  if (reads.length > options.maxReads) {
    return invalid(`at most ${options.maxReads} reads per request, got ${reads.length}`);
  }
  const readings: Reading[] = [];
  for (const [index, read] of reads.entries()) {
    const where = Array.isArray(body) ? `[${index}]` : "";
    const parsed = GenericReadSchema.safeParse(read);
    if (!parsed.success) return invalid(formatIssues(parsed.error, where) + expectedShape(read));
    const { type, lane, plate, confidence, occurredAt } = parsed.data;
    if (lane !== undefined && lane !== options.lane) {
      return invalid(`${where || "(root)"}.lane: "${lane}" does not match the URL's lane "${options.lane}"`);
    }
    const readingType = type ?? typeFor(options.direction);
    if (readingType === undefined) {
      return invalid(
        `${where || "(root)"}.type: missing, and this camera has no direction in its config to imply it; send vehicle.entry or vehicle.exit`,
      );
    }
    const reading = validate({ type: readingType, lane: options.lane, plate, confidence, occurredAt }, where);
    if (!reading.ok) return reading;
    readings.push(reading.reading);
  }
  return { ok: true, shape: "generic", readings };
}

function isPlateRecognizer(body: unknown): body is Record<string, unknown> {
  return (
    typeof body === "object" && body !== null && !Array.isArray(body) && "hook" in body && "data" in body
  );
}

function parsePlateRecognizer(body: unknown, options: CameraBodyOptions): CameraBody {
  const parsed = PlateRecognizerSchema.safeParse(body);
  if (!parsed.success) return invalid(`Plate Recognizer webhook: ${formatIssues(parsed.error)}`);
  const { timestamp, results } = parsed.data.data;
  if (results.length > options.maxReads) {
    return invalid(`at most ${options.maxReads} reads per request, got ${results.length}`);
  }
  const type = typeFor(options.direction);
  if (type === undefined && results.length > 0) {
    return invalid(
      "a Plate Recognizer webhook does not say entry or exit; give this camera-http input a direction (in or out)",
    );
  }
  let occurredAt: string | undefined;
  if (timestamp !== undefined) {
    occurredAt = plateRecognizerTime(timestamp);
    if (occurredAt === undefined) return invalid(`data.timestamp: "${timestamp}" is not a date and time`);
  }
  const readings: Reading[] = [];
  for (const [index, result] of results.entries()) {
    const reading = validate(
      { type, lane: options.lane, plate: result.plate, confidence: result.score, occurredAt },
      `data.results[${index}]`,
    );
    if (!reading.ok) return reading;
    readings.push(reading.reading);
  }
  return { ok: true, shape: "platerecognizer", readings };
}

/**
 * Stream sends `2021-09-29T05:56:13.606935Z`; Snapshot `2025-09-09 23:22:38.030345` without a zone,
 * which is UTC there. Both have microseconds; the wire format keeps milliseconds.
 */
function plateRecognizerTime(text: string): string | undefined {
  let iso = text.trim().replace(" ", "T");
  if (!/(Z|[+-]\d\d:?\d\d)$/i.test(iso)) iso += "Z";
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

function typeFor(direction: "in" | "out" | undefined): Reading["type"] | undefined {
  if (direction === undefined) return undefined;
  return direction === "in" ? "vehicle.entry" : "vehicle.exit";
}

type Invalid = Extract<CameraBody, { ok: false }>;

function validate(value: Record<string, unknown>, where: string): { ok: true; reading: Reading } | Invalid {
  for (const key of Object.keys(value)) if (value[key] === undefined) delete value[key];
  const result = ReadingSchema.safeParse(value);
  if (!result.success) return invalid(formatIssues(result.error, where));
  return { ok: true, reading: result.data };
}

function expectedShape(read: unknown): string {
  return typeof read === "object" && read !== null
    ? ""
    : ' (expected {"plate": "…", "confidence": 0.9, "occurredAt": "…"} or a list of them)';
}

function invalid(message: string): Invalid {
  return { ok: false, code: "INVALID_READING", message };
}
