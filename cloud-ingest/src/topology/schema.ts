import { NAME_PATTERN } from "@lotwatch/protocol/ids.js";
import { z } from "zod";
import { isTimeZone } from "../forecast/zone-offset.js";

const id = (what: string) =>
  z.string({ error: `${what} must be a string` }).regex(NAME_PATTERN, {
    error: `${what} must be 1-64 characters of letters, digits, '_', '.', '-'`,
  });

const capacity = z
  .number({ error: "capacity must be a number" })
  .int({ error: "capacity must be a whole number" })
  .nonnegative({ error: "capacity must not be negative" });

export interface SpaceConfig {
  id: string;
  capacity?: number | undefined;
  countFrom?: "flow" | "slots" | undefined;
  children?: SpaceConfig[] | undefined;
}

export const SpaceSchema: z.ZodType<SpaceConfig> = z.strictObject({
  id: id("space id"),
  capacity: capacity.optional(),
  countFrom: z.enum(["flow", "slots"], { error: 'countFrom must be "flow" or "slots"' }).optional(),
  get children() {
    return z.array(SpaceSchema).optional();
  },
});

export const LaneSchema = z.strictObject({
  id: id("lane id"),
  space: id("space"),
  direction: z.enum(["in", "out"], { error: 'direction must be "in" or "out"' }),
});

export const DoorSchema = z.strictObject({
  id: id("door id"),
  from: id("from").optional(),
  to: id("to").optional(),
});

export const SlotSchema = z.strictObject({
  id: id("slot id"),
  space: id("space"),
});

const money = z.number({ error: "must be a number" }).nonnegative({ error: "must not be negative" });

export const TariffSchema = z.strictObject({
  freeMinutes: money.optional(),
  perHour: money,
  dailyMax: money.optional(),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, { error: "currency must be a 3-letter ISO 4217 code such as EUR" }),
});

export const SiteSchema = z.strictObject({
  id: id("site id"),
  name: z.string().max(200).optional(),
  spaces: z.array(SpaceSchema).min(1, { error: "a site needs at least one space" }),
  lanes: z.array(LaneSchema).default([]),
  doors: z.array(DoorSchema).default([]),
  slots: z.array(SlotSchema).default([]),
  tariff: TariffSchema.optional(),
  timeZone: z
    .string({ error: "timeZone must be a string" })
    .refine(isTimeZone, { error: "timeZone must be an IANA time zone such as Europe/Berlin" })
    .optional(),
});

export const TopologySchema = z.strictObject({
  sites: z
    .array(SiteSchema, { error: "sites must be a list" })
    .min(1, { error: "declare at least one site" }),
});

export type LaneConfig = z.infer<typeof LaneSchema>;
export type DoorConfig = z.infer<typeof DoorSchema>;
export type SlotConfig = z.infer<typeof SlotSchema>;
export type SiteConfig = z.infer<typeof SiteSchema>;
export type Topology = z.infer<typeof TopologySchema>;
