// modbus-serial's own CRC-16/MODBUS (polynomial 0xA001 reflected, init 0xFFFF); types in
// src/types/modbus-serial.d.ts, as the package ships none for this file.
import crc16 from "modbus-serial/utils/crc16.js";

/** Read functions a bay sensor answers: coils, discrete inputs, holding and input registers. */
export type ReadFunction = 1 | 2 | 3 | 4;
export const READ_FUNCTIONS: readonly number[] = [1, 2, 3, 4];

export interface ReadRequest {
  unit: number;
  fn: ReadFunction;
  address: number;
  count: number;
}

/** Appends the CRC, low byte first as Modbus RTU sends it. */
export function withCrc(body: Buffer): Buffer {
  const frame = Buffer.alloc(body.length + 2);
  body.copy(frame);
  frame.writeUInt16LE(crc16(body), body.length);
  return frame;
}

export function crcMatches(frame: Buffer): boolean {
  if (frame.length < 4) return false;
  return crc16(frame.subarray(0, frame.length - 2)) === frame.readUInt16LE(frame.length - 2);
}

/**
 * Splits the bytes a slave receives into 8-byte read requests (unit, function, address, count,
 * CRC). A window whose CRC fails is slid on by one byte, so line noise costs only the frames it
 * touches; what was skipped is reported.
 */
export function createRequestSplitter(onRequest: (frame: Buffer) => void, onNoise: (bytes: number) => void) {
  let pending = Buffer.alloc(0);
  return {
    push(chunk: Buffer): void {
      pending = pending.length === 0 ? Buffer.from(chunk) : Buffer.concat([pending, chunk]);
      let skipped = 0;
      while (pending.length >= 8) {
        const frame = pending.subarray(0, 8);
        if (crcMatches(frame)) {
          if (skipped > 0) onNoise(skipped);
          skipped = 0;
          onRequest(Buffer.from(frame));
          pending = pending.subarray(8);
        } else {
          pending = pending.subarray(1);
          skipped++;
        }
      }
      if (skipped > 0) onNoise(skipped);
      // Keep at most one frame's worth, so garbage cannot grow the buffer.
      if (pending.length > 7) pending = pending.subarray(pending.length - 7);
    },
  };
}

export function parseReadRequest(
  frame: Buffer,
): ReadRequest | { unit: number; fn: number; unsupported: true } {
  const unit = frame.readUInt8(0);
  const fn = frame.readUInt8(1);
  if (!READ_FUNCTIONS.includes(fn)) return { unit, fn, unsupported: true };
  return { unit, fn: fn as ReadFunction, address: frame.readUInt16BE(2), count: frame.readUInt16BE(4) };
}
