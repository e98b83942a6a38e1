import { badArgument, parseNumber } from "../cli/bad-argument.js";

/** The options of `lotwatch-sim modbus-slave` as commander hands them over: strings. */
export interface RawModbusSlaveArgs {
  device: string;
  units: string;
  slotsPerUnit: string;
  flipEvery: string;
  seed: string;
  crcErrorRate: string;
}

export interface ModbusSlaveArgs {
  device: string;
  units: number[];
  slotsPerUnit: number;
  /** Milliseconds between random bay flips; 0 = only on command. */
  flipEveryMs: number;
  seed: number;
  /** Share of answers sent with a corrupted CRC. */
  crcErrorRate: number;
}

export const MODBUS_SLAVE_DEFAULTS = {
  units: "1",
  slotsPerUnit: "1",
  flipEvery: "0",
  seed: "1",
  crcErrorRate: "0",
} as const;

/** `1-4,7` → [1, 2, 3, 4, 7]; Modbus unit ids are 1..247. */
export function parseUnits(raw: string): number[] {
  const units = new Set<number>();
  for (const part of raw.split(",")) {
    const match = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    const from = Number(match?.[1]);
    const to = Number(match?.[2] ?? match?.[1]);
    if (match === null || from < 1 || to > 247 || from > to) {
      throw badArgument(`--units must list unit ids from 1 to 247 such as "1-8,12", got "${raw}"`);
    }
    for (let unit = from; unit <= to; unit++) units.add(unit);
  }
  return [...units].sort((a, b) => a - b);
}

export function parseModbusSlaveArgs(raw: RawModbusSlaveArgs): ModbusSlaveArgs {
  if (raw.device.trim() === "") throw badArgument("--device must name the simulator's end of a pty pair");
  return {
    device: raw.device,
    units: parseUnits(raw.units),
    slotsPerUnit: parseNumber(
      "--slots-per-unit",
      raw.slotsPerUnit,
      (n) => Number.isInteger(n) && n >= 1 && n <= 125,
      "an integer from 1 to 125",
    ),
    flipEveryMs: parseNumber(
      "--flip-every",
      raw.flipEvery,
      (n) => Number.isInteger(n) && n >= 0,
      "milliseconds ≥ 0",
    ),
    seed: parseNumber("--seed", raw.seed, Number.isSafeInteger, "an integer"),
    crcErrorRate: parseNumber(
      "--crc-error-rate",
      raw.crcErrorRate,
      (n) => n >= 0 && n <= 1,
      "a number from 0 to 1",
    ),
  };
}
