import { z } from "zod";

/** Framing keys of every input on a serial port (`serial`, `modbus-rtu`). */
export function serialFramingKeys(defaultParity: "none" | "even" | "odd") {
  return {
    parity: z.enum(["none", "even", "odd"], { error: "expected none, even or odd" }).default(defaultParity),
    dataBits: z.union([z.literal(7), z.literal(8)], { error: "expected 7 or 8" }).default(8),
    stopBits: z.union([z.literal(1), z.literal(2)], { error: "expected 1 or 2" }).default(1),
  };
}

export interface SerialFraming {
  baudRate: number;
  parity: "none" | "even" | "odd";
  dataBits: 7 | 8;
  stopBits: 1 | 2;
}
