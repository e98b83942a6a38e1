import { z } from "zod";
import { EventSchema, GatewayIdSchema } from "./events.js";

/** Upper bound on events per envelope; an agent sends a few hundred. */
export const MAX_EVENTS_PER_ENVELOPE = 5000;

const header = {
  v: z.literal(1, { error: "v must be 1 (this ingest speaks wire protocol v1)" }),
  gateway: GatewayIdSchema,
  sentAt: z.iso.datetime({ error: "sentAt must be an ISO-8601 UTC time" }),
  bootId: z.string().min(1).max(64),
  uptimeMs: z.number().int().nonnegative(),
};

/**
 * The envelope with its events left unchecked, so a receiver can keep the valid events of a batch
 * and reject the others one by one.
 */
export const EnvelopeHeaderSchema = z.object({
  ...header,
  events: z.array(z.unknown(), { error: "events must be an array" }).max(MAX_EVENTS_PER_ENVELOPE),
});

export const EnvelopeSchema = z.object({
  ...header,
  events: z.array(EventSchema).max(MAX_EVENTS_PER_ENVELOPE),
});

export type EnvelopeHeader = z.infer<typeof EnvelopeHeaderSchema>;
export type Envelope = z.infer<typeof EnvelopeSchema>;
