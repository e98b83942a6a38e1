// modbus-serial's own CRC-16/MODBUS, imported statically so the agent's bundle includes it (types in
// src/types/modbus-serial.d.ts: the package ships none for this file).
import crc16 from "modbus-serial/utils/crc16.js";

/** Where a bay sensor keeps its state: the four Modbus read functions by table name. */
export const TABLES = { coil: 1, discrete: 2, holding: 3, input: 4 } as const;
export type Table = keyof typeof TABLES;

export interface ReadRequest {
  unit: number;
  table: Table;
  address: number;
  count: number;
}

export type RtuAnswer =
  | { kind: "incomplete" }
  | { kind: "ok"; values: number[] }
  | { kind: "exception"; code: number }
  | { kind: "crc" }
  | { kind: "frame"; detail: string };

/** The 8-byte RTU frame of a read: unit, function, address, count, CRC (low byte first). */
export function encodeReadRequest(request: ReadRequest): Buffer {
  const frame = Buffer.alloc(8);
  frame.writeUInt8(request.unit, 0);
  frame.writeUInt8(TABLES[request.table], 1);
  frame.writeUInt16BE(request.address, 2);
  frame.writeUInt16BE(request.count, 4);
  frame.writeUInt16LE(crc16(frame.subarray(0, 6)), 6);
  return frame;
}

/**
 * Decodes what came back so far for `request`: incomplete until the frame's length (known from
 * its third byte) has arrived, then ok, a Modbus exception, a CRC failure, or a frame that does
 * not answer this request (another unit, another function, a wrong byte count).
 */
export function decodeReadAnswer(request: ReadRequest, bytes: Buffer): RtuAnswer {
  if (bytes.length < 3) return { kind: "incomplete" };
  const fn = TABLES[request.table];
  const unit = bytes.readUInt8(0);
  const answerFn = bytes.readUInt8(1);
  const bits = fn === 1 || fn === 2;
  const expectedBytes = bits ? Math.ceil(request.count / 8) : 2 * request.count;
  let length: number;
  if (answerFn === (fn | 0x80)) length = 5;
  else if (answerFn === fn) length = 5 + bytes.readUInt8(2);
  else return { kind: "frame", detail: `function ${answerFn} in an answer to function ${fn}` };
  if (bytes.length < length) return { kind: "incomplete" };
  const frame = bytes.subarray(0, length);
  if (crc16(frame.subarray(0, length - 2)) !== frame.readUInt16LE(length - 2)) return { kind: "crc" };
  if (unit !== request.unit)
    return { kind: "frame", detail: `unit ${unit} answered a request to unit ${request.unit}` };
  if (length === 5) return { kind: "exception", code: frame.readUInt8(2) };
  if (frame.readUInt8(2) !== expectedBytes) {
    return {
      kind: "frame",
      detail: `${frame.readUInt8(2)} data bytes where ${expectedBytes} were asked for`,
    };
  }
  const values: number[] = [];
  for (let index = 0; index < request.count; index++) {
    values.push(
      bits ? ((frame[3 + (index >> 3)] ?? 0) >> (index & 7)) & 1 : frame.readUInt16BE(3 + 2 * index),
    );
  }
  return { kind: "ok", values };
}
