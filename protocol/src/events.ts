import { z } from "zod";
import { NAME_PATTERN } from "./ids.js";

const name = (what: string) =>
  z.string({ error: `${what} must be a string` }).regex(NAME_PATTERN, {
    error: `${what} must be 1-64 characters of letters, digits, '_', '.', '-'`,
  });

const isoTime = z.iso.datetime({ error: "must be an ISO-8601 UTC time such as 2026-11-22T10:00:00.000Z" });

export const GatewayIdSchema = name("gateway id");
export const SiteIdSchema = name("site id");

/** Fields every event carries on the wire. */
const common = {
  id: z.uuidv7({ error: "id must be a UUIDv7" }),
  seq: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  site: SiteIdSchema,
  occurredAt: isoTime,
  bootId: z.string().min(1).max(64).optional(),
  uptimeMs: z.number().int().nonnegative().optional(),
  clockSynced: z.boolean().optional(),
};

const plate = z
  .string({ error: "plate must be a string" })
  .min(1, { error: "plate must not be empty" })
  .max(16, { error: "plate is longer than 16 characters" });

const vehicleFields = {
  plate,
  confidence: z.number().min(0).max(1).optional(),
  lane: name("lane"),
};
const doorFields = {
  door: name("door"),
  direction: z.union([z.literal(1), z.literal(-1)], { error: "direction must be 1 or -1" }),
  count: z.number().int().positive().max(10_000).optional(),
};
const slotFields = {
  slot: name("slot"),
  occupied: z.boolean({ error: "occupied must be true or false" }),
};

export const VehicleEntrySchema = z.object({ type: z.literal("vehicle.entry"), ...common, ...vehicleFields });
export const VehicleExitSchema = z.object({ type: z.literal("vehicle.exit"), ...common, ...vehicleFields });
export const DoorCrossingSchema = z.object({ type: z.literal("door.crossing"), ...common, ...doorFields });
export const SlotStateSchema = z.object({ type: z.literal("slot.state"), ...common, ...slotFields });
export const GatewayGapSchema = z
  .object({
    type: z.literal("gateway.gap"),
    ...common,
    fromSeq: z.number().int().positive(),
    toSeq: z.number().int().positive(),
    reason: z.string().min(1).max(200),
  })
  .refine((gap) => gap.fromSeq <= gap.toSeq, {
    error: "fromSeq must not be greater than toSeq",
    path: ["toSeq"],
  });

export const EVENT_TYPES = [
  "vehicle.entry",
  "vehicle.exit",
  "door.crossing",
  "slot.state",
  "gateway.gap",
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const EventSchema = z.discriminatedUnion(
  "type",
  [VehicleEntrySchema, VehicleExitSchema, DoorCrossingSchema, SlotStateSchema, GatewayGapSchema],
  { error: `type must be one of ${EVENT_TYPES.join(", ")}` },
);

export type VehicleEntry = z.infer<typeof VehicleEntrySchema>;
export type VehicleExit = z.infer<typeof VehicleExitSchema>;
export type DoorCrossing = z.infer<typeof DoorCrossingSchema>;
export type SlotState = z.infer<typeof SlotStateSchema>;
export type GatewayGap = z.infer<typeof GatewayGapSchema>;
export type LotwatchEvent = z.infer<typeof EventSchema>;

/**
 * A reading as a sensor or camera hands it to the agent: the event without the fields the agent
 * adds (`id`, `seq`, `site`), and `occurredAt` optional (the agent stamps reception time).
 */
const readingCommon = { occurredAt: isoTime.optional() };
export const ReadingSchema = z.discriminatedUnion(
  "type",
  [
    z.object({ type: z.literal("vehicle.entry"), ...readingCommon, ...vehicleFields }),
    z.object({ type: z.literal("vehicle.exit"), ...readingCommon, ...vehicleFields }),
    z.object({ type: z.literal("door.crossing"), ...readingCommon, ...doorFields }),
    z.object({ type: z.literal("slot.state"), ...readingCommon, ...slotFields }),
  ],
  { error: "type must be one of vehicle.entry, vehicle.exit, door.crossing, slot.state" },
);
export type Reading = z.infer<typeof ReadingSchema>;
