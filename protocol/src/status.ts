import { z } from "zod";
import { GatewayIdSchema, SiteIdSchema } from "./events.js";

/** Retained on `lotwatch/v1/{site}/{gateway}/status`; the Last Will carries `online: false`. */
export const GatewayStatusSchema = z.object({
  v: z.literal(1),
  gateway: GatewayIdSchema,
  site: SiteIdSchema,
  online: z.boolean(),
  at: z.iso.datetime(),
  version: z.string().max(64).optional(),
  bootId: z.string().max(64).optional(),
  uptimeMs: z.number().int().nonnegative().optional(),
  backlog: z.number().int().nonnegative().optional(),
  oldestPendingAt: z.iso.datetime().nullable().optional(),
  dropped: z.number().int().nonnegative().optional(),
});

export type GatewayStatus = z.infer<typeof GatewayStatusSchema>;
