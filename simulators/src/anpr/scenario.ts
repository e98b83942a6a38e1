import { LotwatchError } from "@lotwatch/protocol/errors.js";
import { NAME_PATTERN } from "@lotwatch/protocol/ids.js";
import { createRandom, type Random } from "../random/random.js";
import type { AnprReading } from "./anpr-reading.js";
import { createPlateMaker, type PlateMaker } from "./plate-maker.js";

export interface AnprScenarioOptions {
  seed: number;
  /** How many reads; `Infinity` for an endless stream. */
  count: number;
  /** Simulated time of the first read. */
  startAt: Date | number;
  entryLane?: string;
  exitLane?: string;
  /** Reads per simulated second: occurredAt advances by 1/rate s. Default 50. */
  rate?: number;
  /** Share of exits that carry the plate of their vehicle's entry. Default 0.8. */
  matchRate?: number;
  /** Share of reads that are exits while vehicles are parked. Default 0.5. */
  exitShare?: number;
  /** See plate-maker.ts: `@` letter, `#` digit. */
  plateFormat?: string;
}

/**
 * A lot seen by an entry and an exit camera. An entry parks a new vehicle with a fresh plate; an
 * exit takes a random parked vehicle out (never from an empty lot) and carries its plate, or, with
 * probability 1 − matchRate, a fresh plate that no other read ever had (a misread). Pure: the same
 * options give the same reads.
 */
export function generateAnprReads(options: AnprScenarioOptions): Generator<AnprReading> {
  // Validate before the first next(), so bad options fail where they are passed.
  const settings = validate(options);
  const random = createRandom(options.seed);
  const plates = createPlateMaker({ format: options.plateFormat, random });
  return reads(options.count, settings, random, plates);
}

function* reads(
  count: number,
  settings: ScenarioSettings,
  random: Random,
  plates: PlateMaker,
): Generator<AnprReading> {
  const parked: string[] = [];
  const confidence = (floor: number) => Math.round((floor + random.next() * (0.99 - floor)) * 100) / 100;

  for (let i = 0; i < count; i++) {
    const occurredAt = new Date(Math.round(settings.startMs + (i * 1000) / settings.rate)).toISOString();
    if (parked.length === 0 || !random.chance(settings.exitShare)) {
      const plate = plates.next();
      parked.push(plate);
      yield {
        type: "vehicle.entry",
        lane: settings.entryLane,
        plate,
        confidence: confidence(0.8),
        occurredAt,
      };
      continue;
    }
    // Swap-remove keeps leaving O(1) however many vehicles are parked.
    const slot = random.int(0, parked.length - 1);
    const leaving = parked[slot] as string;
    parked[slot] = parked[parked.length - 1] as string;
    parked.pop();
    const matched = random.chance(settings.matchRate);
    yield {
      type: "vehicle.exit",
      lane: settings.exitLane,
      plate: matched ? leaving : plates.next(),
      confidence: matched ? confidence(0.8) : confidence(0.5),
      occurredAt,
    };
  }
}

interface ScenarioSettings {
  startMs: number;
  entryLane: string;
  exitLane: string;
  rate: number;
  matchRate: number;
  exitShare: number;
}

function validate(options: AnprScenarioOptions): ScenarioSettings {
  const { count, startAt } = options;
  const entryLane = options.entryLane ?? "entry-1";
  const exitLane = options.exitLane ?? "exit-1";
  const rate = options.rate ?? 50;
  const matchRate = options.matchRate ?? 0.8;
  const exitShare = options.exitShare ?? 0.5;
  const fail = (message: string) => new LotwatchError("BAD_SCENARIO", message);

  if (!(count === Number.POSITIVE_INFINITY || (Number.isSafeInteger(count) && count >= 0))) {
    throw fail(`count must be an integer ≥ 0 or Infinity, got ${count}`);
  }
  const startMs = typeof startAt === "number" ? startAt : startAt.getTime();
  if (!Number.isFinite(startMs)) throw fail("startAt must be a valid time");
  if (!(Number.isFinite(rate) && rate > 0)) throw fail(`rate must be a number > 0, got ${rate}`);
  if (!(matchRate >= 0 && matchRate <= 1)) throw fail(`matchRate must be in [0, 1], got ${matchRate}`);
  if (!(exitShare > 0 && exitShare < 1)) throw fail(`exitShare must be in (0, 1), got ${exitShare}`);
  for (const [what, lane] of [
    ["entryLane", entryLane],
    ["exitLane", exitLane],
  ] as const) {
    if (!NAME_PATTERN.test(lane)) {
      throw fail(`${what} must be 1-64 letters, digits, '_', '.', '-', got "${lane}"`);
    }
  }
  return { startMs, entryLane, exitLane, rate, matchRate, exitShare };
}
