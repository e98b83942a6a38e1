import { parseReadRequest, type ReadRequest, withCrc } from "./rtu-frames.js";

/** Modbus exception codes a slave answers with (Modbus Application Protocol v1.1b3, section 7). */
const ILLEGAL_FUNCTION = 1;
const ILLEGAL_DATA_ADDRESS = 2;
const ILLEGAL_DATA_VALUE = 3;

export interface BayBusOptions {
  /** Unit ids on the bus, 1..247. */
  units: number[];
  /** Bays per unit: registers (and coils) 0..slotsPerUnit-1, 1 = occupied. */
  slotsPerUnit: number;
}

export interface BayBus {
  /** The answer frame for a request frame (CRC already checked), or null when the unit stays silent. */
  answer(frame: Buffer): Buffer | null;
  occupied(unit: number, address: number): boolean;
  /** Sets a bay; returns whether it changed. */
  set(unit: number, address: number, occupied: boolean): boolean;
  /** A silenced unit never answers, like a sensor whose cable is cut. */
  setSilent(unit: number, silent: boolean): void;
  units(): number[];
}

/**
 * A bus of bay sensors, each a Modbus unit with one register (and the same bit as a coil, discrete
 * input and input register) per bay. Answers read functions 1-4; anything else gets an exception.
 */
export function createBayBus(options: BayBusOptions): BayBus {
  const bays = new Map<number, boolean[]>(
    options.units.map((unit) => [unit, Array.from({ length: options.slotsPerUnit }, () => false)]),
  );
  const silent = new Set<number>();

  function exception(unit: number, fn: number, code: number): Buffer {
    return withCrc(Buffer.from([unit, fn | 0x80, code]));
  }

  function read(request: ReadRequest, states: boolean[]): Buffer {
    const { unit, fn, address, count } = request;
    if (count < 1 || count > 125) return exception(unit, fn, ILLEGAL_DATA_VALUE);
    if (address + count > states.length) return exception(unit, fn, ILLEGAL_DATA_ADDRESS);
    const values = states.slice(address, address + count);
    if (fn === 3 || fn === 4) {
      const body = Buffer.alloc(3 + 2 * count);
      body.writeUInt8(unit, 0);
      body.writeUInt8(fn, 1);
      body.writeUInt8(2 * count, 2);
      values.forEach((value, index) => {
        body.writeUInt16BE(value ? 1 : 0, 3 + 2 * index);
      });
      return withCrc(body);
    }
    const bytes = Math.ceil(count / 8);
    const body = Buffer.alloc(3 + bytes);
    body.writeUInt8(unit, 0);
    body.writeUInt8(fn, 1);
    body.writeUInt8(bytes, 2);
    values.forEach((value, index) => {
      if (value) body[3 + (index >> 3)] = (body[3 + (index >> 3)] ?? 0) | (1 << (index & 7));
    });
    return withCrc(body);
  }

  return {
    answer(frame) {
      const request = parseReadRequest(frame);
      const states = bays.get(request.unit);
      if (states === undefined || silent.has(request.unit)) return null;
      if ("unsupported" in request) return exception(request.unit, request.fn, ILLEGAL_FUNCTION);
      return read(request, states);
    },
    occupied: (unit, address) => bays.get(unit)?.[address] ?? false,
    set(unit, address, occupied) {
      const states = bays.get(unit);
      if (states === undefined || address < 0 || address >= states.length) {
        throw new RangeError(`no bay ${address} on unit ${unit}`);
      }
      const changed = states[address] !== occupied;
      states[address] = occupied;
      return changed;
    },
    setSilent(unit, on) {
      if (on) silent.add(unit);
      else silent.delete(unit);
    },
    units: () => [...bays.keys()],
  };
}
