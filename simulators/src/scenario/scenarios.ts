import { LotwatchError } from "@lotwatch/protocol/errors.js";
import { createPlateMaker } from "../anpr/plate-maker.js";
import { createRandom, type Random } from "../random/random.js";
import { createProfileSampler, MALL_DAY_WEIGHTS } from "./day-profile.js";
import { countsAt, type GroundTruth, type SessionTruth } from "./ground-truth.js";
import { misreadPlate } from "./misread.js";
import type { SimReading } from "./sim-read.js";
import { checkSiteShape, DEMO_SITE_SHAPE, type SiteShape } from "./site-shape.js";

export const SCENARIO_NAMES = ["mall-day", "burst", "offline-gateway"] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

export interface ScenarioOptions {
  scenario: ScenarioName;
  seed: number;
  /** Simulated start (midnight of the simulated day for `mall-day`). */
  startAt: number;
  /** Simulated length in hours. Default 24. */
  hours?: number;
  /** Vehicles arriving over the scenario. Default 400. */
  vehicles?: number;
  /** Visitors through the door. Default 600. */
  people?: number;
  /** Share of exits carrying their vehicle's plate (exact or misread). Default 0.8. */
  matchRate?: number;
  /** Share of those exits read with one confusable character wrong. Default 0.1. */
  misreadRate?: number;
  /** Share of reads the camera sends twice, 2–20 s apart. Default 0.05. */
  doubleReadRate?: number;
  /** `burst`: how many vehicles arrive within `burstSeconds`. Defaults 500 and 60. */
  burstSeconds?: number;
  /** `offline-gateway`: the exit lane's reads from `offlineFromHour` to `offlineToHour` are sent last. */
  offlineFromHour?: number;
  offlineToHour?: number;
  shape?: SiteShape;
}

export interface ScenarioPlan {
  /** In the order to send them (time order, except what an offline gateway holds back). */
  readings: SimReading[];
  truth: GroundTruth;
}

/**
 * A seeded scenario: each vehicle arrives (entry read), parks 10 min to 5 h and leaves (exit read)
 * unless the simulated time ends first. An exit carries its plate (80 %; of those 10 % misread by
 * one confusable character, a fuzzy match) or a fresh plate (a missed read: unmatched, and the
 * vehicle's session stays open). Visitors cross the door in (1 or a small group) and out. The
 * truth comes from this intent, not from re-running the ingest's rules.
 */
export function buildScenario(options: ScenarioOptions): ScenarioPlan {
  const settings = validate(options);
  const { shape } = settings;
  const random = createRandom(options.seed);
  const plates = createPlateMaker({ random });
  const endMs = settings.startAt + settings.hours * 3_600_000;
  const arrival = arrivalSampler(settings);
  const readings: SimReading[] = [];
  const sessions: SessionTruth = { open: 0, closed: 0, exact: 0, fuzzy: 0, unmatched: 0 };
  const sent = { doubleReads: 0, misreadExits: 0, unmatchedExits: 0 };
  const iso = (ms: number) => new Date(ms).toISOString();
  const confidence = (floor: number) => Math.round((floor + random.next() * (0.99 - floor)) * 100) / 100;
  const vehicleRead = (type: "vehicle.entry" | "vehicle.exit", at: number, plate: string, floor: number) => {
    const lane = type === "vehicle.entry" ? shape.entryLane : shape.exitLane;
    const reading: SimReading = { type, lane, plate, confidence: confidence(floor), occurredAt: iso(at) };
    readings.push(reading);
    if (random.chance(settings.doubleReadRate)) {
      sent.doubleReads++;
      readings.push({ ...reading, occurredAt: iso(at + random.int(2, 20) * 1000) });
    }
  };

  for (let v = 0; v < settings.vehicles; v++) {
    const plate = plates.next();
    const entryAt = settings.startAt + arrival(random);
    vehicleRead("vehicle.entry", entryAt, plate, 0.8);
    const exitAt = entryAt + random.int(10 * 60, 5 * 3600) * 1000;
    if (exitAt >= endMs) {
      sessions.open++;
      continue;
    }
    if (!random.chance(settings.matchRate)) {
      vehicleRead("vehicle.exit", exitAt, plates.next(), 0.5);
      sent.unmatchedExits++;
      sessions.unmatched++;
      sessions.open++;
      continue;
    }
    const misread = random.chance(settings.misreadRate) ? misreadPlate(plate, random) : undefined;
    vehicleRead("vehicle.exit", exitAt, misread ?? plate, misread === undefined ? 0.8 : 0.6);
    sessions.closed++;
    if (misread === undefined) sessions.exact++;
    else {
      sessions.fuzzy++;
      sent.misreadExits++;
    }
  }

  let doorCrossings = 0;
  for (let p = 0; p < settings.people; ) {
    const group = random.chance(0.8) ? 1 : random.int(2, 3);
    p += group;
    const inAt = settings.startAt + arrival(random);
    const count = group === 1 ? {} : { count: group };
    readings.push({ type: "door.crossing", door: shape.door, direction: 1, ...count, occurredAt: iso(inAt) });
    doorCrossings++;
    const outAt = inAt + random.int(15 * 60, 3 * 3600) * 1000;
    if (outAt < endMs) {
      readings.push({
        type: "door.crossing",
        door: shape.door,
        direction: -1,
        ...count,
        occurredAt: iso(outAt),
      });
      doorCrossings++;
    }
  }

  const timeOrder = readings
    .map((reading, index) => ({ reading, index, at: Date.parse(reading.occurredAt) }))
    .sort((a, b) => a.at - b.at || a.index - b.index);
  const ordered = holdBackOffline(timeOrder, settings).map((item) => item.reading);
  const entries = readings.filter((r) => r.type === "vehicle.entry").length;
  const samples = Array.from({ length: Math.ceil(settings.hours) }, (_, h) =>
    Math.min(settings.startAt + (h + 1) * 3_600_000, endMs),
  );
  samples.push(settings.startAt + Math.floor((endMs - settings.startAt) / 2) + 1234);

  return {
    readings: ordered,
    truth: {
      version: 1,
      scenario: settings.scenario,
      seed: options.seed,
      site: shape.site,
      startAt: iso(settings.startAt),
      endAt: iso(endMs),
      sent: {
        readings: readings.length,
        entries,
        exits: readings.filter((r) => r.type === "vehicle.exit").length,
        doubleReads: sent.doubleReads,
        misreadExits: sent.misreadExits,
        unmatchedExits: sent.unmatchedExits,
        doorCrossings,
      },
      counts: countsAt(readings, shape, [...new Set(samples)]),
      sessions,
    },
  };
}

type Settings = Required<Omit<ScenarioOptions, "seed">>;

function arrivalSampler(settings: Settings): (random: Random) => number {
  if (settings.scenario === "burst") {
    // The burst lands one hour in, so the count before it is visibly different from after.
    const burstMs = settings.burstSeconds * 1000;
    return (random) => 3_600_000 + Math.floor(random.next() * burstMs);
  }
  return createProfileSampler(MALL_DAY_WEIGHTS, settings.hours);
}

/** The offline window's exit-lane reads go out after everything else, as a gateway's backlog would. */
function holdBackOffline<T extends { reading: SimReading; at: number }>(items: T[], settings: Settings): T[] {
  if (settings.scenario !== "offline-gateway") return items;
  const from = settings.startAt + settings.offlineFromHour * 3_600_000;
  const to = settings.startAt + settings.offlineToHour * 3_600_000;
  const late = (item: T) =>
    item.reading.type === "vehicle.exit" &&
    item.reading.lane === settings.shape.exitLane &&
    item.at >= from &&
    item.at < to;
  return [...items.filter((item) => !late(item)), ...items.filter(late)];
}

function validate(options: ScenarioOptions): Settings {
  const fail = (message: string) => new LotwatchError("BAD_SCENARIO", message);
  const settings: Settings = {
    scenario: options.scenario,
    startAt: options.startAt,
    hours: options.hours ?? 24,
    vehicles: options.vehicles ?? (options.scenario === "burst" ? 500 : 400),
    people: options.people ?? 600,
    matchRate: options.matchRate ?? 0.8,
    misreadRate: options.misreadRate ?? 0.1,
    doubleReadRate: options.doubleReadRate ?? 0.05,
    burstSeconds: options.burstSeconds ?? 60,
    offlineFromHour: options.offlineFromHour ?? 10,
    offlineToHour: options.offlineToHour ?? 14,
    shape: checkSiteShape(options.shape ?? DEMO_SITE_SHAPE),
  };
  if (!SCENARIO_NAMES.includes(settings.scenario)) {
    throw fail(`scenario must be one of ${SCENARIO_NAMES.join(", ")}, got "${settings.scenario}"`);
  }
  if (!Number.isFinite(settings.startAt)) throw fail("startAt must be a valid time");
  if (!(settings.hours > 0 && settings.hours <= 24 * 14))
    throw fail(`hours must be in (0, 336], got ${settings.hours}`);
  for (const key of ["vehicles", "people"] as const) {
    const value = settings[key];
    if (!(Number.isSafeInteger(value) && value >= 0))
      throw fail(`${key} must be an integer ≥ 0, got ${value}`);
  }
  for (const key of ["matchRate", "misreadRate", "doubleReadRate"] as const) {
    const value = settings[key];
    if (!(value >= 0 && value <= 1)) throw fail(`${key} must be in [0, 1], got ${value}`);
  }
  if (!(settings.burstSeconds > 0)) throw fail(`burstSeconds must be > 0, got ${settings.burstSeconds}`);
  if (!(settings.offlineFromHour >= 0 && settings.offlineToHour > settings.offlineFromHour)) {
    throw fail(`offline window must be from < to, got ${settings.offlineFromHour}–${settings.offlineToHour}`);
  }
  return settings;
}
