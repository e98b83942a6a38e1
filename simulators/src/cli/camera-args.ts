import { NAME_PATTERN } from "@lotwatch/protocol/ids.js";
import { LINE_FORMATS, type LineFormat } from "../anpr/line-format.js";
import { DEFAULT_PLATE_FORMAT, parsePlateFormat } from "../anpr/plate-maker.js";
import { badArgument, parseNumber } from "./bad-argument.js";

/** The options of `lotwatch-sim camera` as commander hands them over: strings. */
export interface RawCameraArgs {
  device: string;
  count: string;
  rate: string;
  seed: string;
  entryLane: string;
  exitLane: string;
  matchRate: string;
  log?: string;
  format: string;
  startAt?: string;
  plateFormat: string;
}

export interface CameraArgs {
  device: string;
  /** 0 = until SIGINT/SIGTERM. */
  count: number;
  rate: number;
  seed: number;
  entryLane: string;
  exitLane: string;
  matchRate: number;
  log?: string;
  format: LineFormat;
  /** undefined = now. */
  startAt?: Date;
  plateFormat: string;
}

export const CAMERA_DEFAULTS = {
  count: "1000",
  rate: "50",
  seed: "1",
  entryLane: "entry-1",
  exitLane: "exit-1",
  matchRate: "0.8",
  format: "jsonl",
  plateFormat: DEFAULT_PLATE_FORMAT,
} as const;

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

export function parseCameraArgs(raw: RawCameraArgs): CameraArgs {
  const count = parseNumber("--count", raw.count, (n) => Number.isSafeInteger(n) && n >= 0, "an integer ≥ 0");
  const rate = parseNumber("--rate", raw.rate, (n) => Number.isFinite(n) && n >= 0, "a number ≥ 0");
  const seed = parseNumber("--seed", raw.seed, Number.isSafeInteger, "an integer");
  const matchRate = parseNumber(
    "--match-rate",
    raw.matchRate,
    (n) => n >= 0 && n <= 1,
    "a number from 0 to 1",
  );
  for (const [flag, lane] of [
    ["--entry-lane", raw.entryLane],
    ["--exit-lane", raw.exitLane],
  ] as const) {
    if (!NAME_PATTERN.test(lane)) {
      throw badArgument(
        `${flag} must be 1-64 letters, digits, '_', '.', '-' (starting with a letter or digit), got "${lane}"`,
      );
    }
  }
  if (!(LINE_FORMATS as readonly string[]).includes(raw.format)) {
    throw badArgument(`--format must be one of ${LINE_FORMATS.join(", ")}, got "${raw.format}"`);
  }
  try {
    parsePlateFormat(raw.plateFormat);
  } catch (error) {
    throw badArgument(`--plate-format: ${(error as Error).message}`);
  }
  if (raw.device.trim() === "") throw badArgument("--device must be a path, got an empty string");
  return {
    device: raw.device,
    count,
    rate,
    seed,
    entryLane: raw.entryLane,
    exitLane: raw.exitLane,
    matchRate,
    ...(raw.log === undefined ? {} : { log: raw.log }),
    format: raw.format as LineFormat,
    ...(raw.startAt === undefined ? {} : { startAt: parseStartAt(raw.startAt) }),
    plateFormat: raw.plateFormat,
  };
}

function parseStartAt(raw: string): Date {
  const date = new Date(raw);
  if (!ISO_TIME.test(raw) || Number.isNaN(date.getTime())) {
    throw badArgument(`--start-at must be an ISO-8601 time such as 2026-11-22T10:00:00Z, got "${raw}"`);
  }
  return date;
}
