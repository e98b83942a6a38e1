import { NAME_PATTERN } from "@lotwatch/protocol/ids.js";
import { z } from "zod";
import { intInRange, nonEmptyString, positiveInt } from "../../config/fields.js";
import { serialFramingKeys } from "../serial-port-options.js";
import { TABLES, type Table } from "./rtu-frame.js";

const name = (what: string) =>
  z
    .string({ error: `expected ${what}` })
    .regex(NAME_PATTERN, { error: `expected ${what} of 1-64 letters, digits, '_', '.', '-'` });

const TABLE_NAMES = Object.keys(TABLES) as [Table, ...Table[]];

/** One unit on the bus: `slots[i]` is the bay at register (or coil) `address + i`; non-zero = occupied. */
export const ModbusSensorSchema = z.strictObject({
  unit: intInRange(1, 247),
  /** Label in logs and metrics; defaults to `unit-<unit>`. */
  name: name("a sensor name").optional(),
  table: z.enum(TABLE_NAMES, { error: `expected one of ${TABLE_NAMES.join(", ")}` }).optional(),
  address: intInRange(0, 65_535).default(0),
  /** This unit's answer time, when it differs from the bus's `timeoutMs` (a slow sensor, a repeater). */
  timeoutMs: intInRange(5, 60_000).optional(),
  slots: z.array(name("a slot id"), { error: "expected a list of slot ids" }).min(1).max(125),
});

/** `{ type: modbus-rtu, path, baudRate, sensors: [...] }`: bay sensors polled over RS-485. */
export const ModbusRtuConfigSchema = z
  .strictObject({
    type: z.literal("modbus-rtu"),
    name: name("a name").optional(),
    path: nonEmptyString("a device path such as /dev/ttyUSB0"),
    baudRate: positiveInt().default(19_200),
    // The Modbus serial line specification (V1.02, 2.5.1) makes even parity the default.
    ...serialFramingKeys("even"),
    /** Default table of every sensor: holding registers (function 3). */
    table: z.enum(TABLE_NAMES, { error: `expected one of ${TABLE_NAMES.join(", ")}` }).default("holding"),
    pollIntervalMs: intInRange(10, 3_600_000).default(1000),
    /** How long one unit may take to answer. */
    timeoutMs: intInRange(5, 60_000).default(200),
    /** Failed polls in a row after which a sensor is reported offline. */
    offlineAfter: positiveInt(1000).default(3),
    reopenMinMs: intInRange(10, 600_000).default(500),
    reopenMaxMs: intInRange(10, 3_600_000).default(10_000),
    sensors: z
      .array(ModbusSensorSchema, { error: "expected a list of sensors" })
      .min(1, { error: "expected at least one sensor" }),
  })
  .superRefine((input, ctx) => {
    if (input.reopenMinMs > input.reopenMaxMs) {
      ctx.addIssue({ code: "custom", path: ["reopenMinMs"], message: "must not exceed reopenMaxMs" });
    }
    const slots = new Set<string>();
    const names = new Set<string>();
    input.sensors.forEach((sensor, index) => {
      const label = sensor.name ?? `unit-${sensor.unit}`;
      if (names.has(label)) {
        ctx.addIssue({
          code: "custom",
          path: ["sensors", index, "name"],
          message: `duplicate sensor "${label}"`,
        });
      }
      names.add(label);
      if (sensor.address + sensor.slots.length > 65_536) {
        ctx.addIssue({
          code: "custom",
          path: ["sensors", index, "slots"],
          message: "runs past register 65535",
        });
      }
      sensor.slots.forEach((slot, slotIndex) => {
        if (slots.has(slot)) {
          ctx.addIssue({
            code: "custom",
            path: ["sensors", index, "slots", slotIndex],
            message: `slot "${slot}" is already read from another register`,
          });
        }
        slots.add(slot);
      });
    });
  });

export type ModbusRtuConfig = z.infer<typeof ModbusRtuConfigSchema> & { name: string };
