import { DoorCrossingSchema, type LotwatchEvent } from "@lotwatch/protocol/events.js";
import { NAME_PATTERN } from "@lotwatch/protocol/ids.js";

type Candidate = Record<string, unknown>;

/** The schema's own patterns (zod keeps a string format's regex on `_zod.pattern`). */
const pattern = (schema: { _zod: { pattern?: RegExp } }): RegExp => {
  const found = schema._zod.pattern;
  if (found === undefined) throw new Error("the event schema's string format has no pattern");
  return found;
};
const UUID_V7 = pattern(DoorCrossingSchema.shape.id);
const ISO_TIME = pattern(DoorCrossingSchema.shape.occurredAt);

const isName = (value: unknown): value is string => typeof value === "string" && NAME_PATTERN.test(value);
const isCount = (value: unknown, min: number, max: number): value is number =>
  typeof value === "number" && Number.isSafeInteger(value) && value >= min && value <= max;

/**
 * The common event checked without zod: EventSchema's result for an event every field of which is
 * plainly valid, else undefined (then EventSchema decides, and words any error). Zod's per-field
 * machinery cost more than the rest of the handler's validation together (issue 5). The result has
 * the schema's keys in its order, unknown keys left out, as zod gives it; a test holds the two equal.
 */
export function plainEvent(candidate: unknown): LotwatchEvent | undefined {
  if (typeof candidate !== "object" || candidate === null || Array.isArray(candidate)) return undefined;
  const c = candidate as Candidate;
  const { type, id, seq, site, occurredAt, bootId, uptimeMs, clockSynced } = c;
  if (
    typeof id !== "string" ||
    !UUID_V7.test(id) ||
    !isCount(seq, 1, Number.MAX_SAFE_INTEGER) ||
    !isName(site) ||
    typeof occurredAt !== "string" ||
    !ISO_TIME.test(occurredAt) ||
    !(bootId === undefined
      ? !("bootId" in c)
      : typeof bootId === "string" && bootId.length >= 1 && bootId.length <= 64) ||
    !(uptimeMs === undefined ? !("uptimeMs" in c) : isCount(uptimeMs, 0, Number.MAX_SAFE_INTEGER)) ||
    !(clockSynced === undefined ? !("clockSynced" in c) : typeof clockSynced === "boolean")
  ) {
    return undefined;
  }
  const event: Candidate = { type, id, seq, site, occurredAt };
  if (bootId !== undefined) event.bootId = bootId;
  if (uptimeMs !== undefined) event.uptimeMs = uptimeMs;
  if (clockSynced !== undefined) event.clockSynced = clockSynced;
  const fields = type === "door.crossing" ? door(c) : type === "slot.state" ? slot(c) : vehicle(c, type);
  return fields && (Object.assign(event, fields) as LotwatchEvent);
}

function vehicle(c: Candidate, type: unknown): Candidate | undefined {
  if (type !== "vehicle.entry" && type !== "vehicle.exit") return undefined;
  const { plate, confidence, lane } = c;
  if (typeof plate !== "string" || plate.length < 1 || plate.length > 16) return undefined;
  if (confidence === undefined) {
    if ("confidence" in c || !isName(lane)) return undefined;
    return { plate, lane };
  }
  if (typeof confidence !== "number" || !(confidence >= 0 && confidence <= 1) || !isName(lane))
    return undefined;
  return { plate, confidence, lane };
}

function door(c: Candidate): Candidate | undefined {
  const { door, direction, count } = c;
  if (!isName(door) || (direction !== 1 && direction !== -1)) return undefined;
  if (count === undefined) return "count" in c ? undefined : { door, direction };
  return isCount(count, 1, 10_000) ? { door, direction, count } : undefined;
}

function slot(c: Candidate): Candidate | undefined {
  const { slot, occupied } = c;
  return isName(slot) && typeof occupied === "boolean" ? { slot, occupied } : undefined;
}
