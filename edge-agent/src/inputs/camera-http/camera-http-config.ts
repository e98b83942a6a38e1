import { NAME_PATTERN } from "@lotwatch/protocol/ids.js";
import { z } from "zod";
import { byteSizeAtLeast, intInRange } from "../../config/fields.js";

/** `{ type: camera-http, lane, token, … }`: a camera that POSTs its reads to the agent. */
export const CameraHttpConfigSchema = z.strictObject({
  type: z.literal("camera-http"),
  name: z
    .string({ error: "expected a name" })
    .regex(NAME_PATTERN, { error: "expected 1-64 letters, digits, '_', '.', '-'" })
    .optional(),
  lane: z
    .string({ error: "expected a lane id" })
    .regex(NAME_PATTERN, { error: "expected a lane id of 1-64 letters, digits, '_', '.', '-'" }),
  /** The camera sends `Authorization: Bearer <token>`; keep it out of the file with LOTWATCH_INPUTS__N__TOKEN. */
  token: z
    .string({ error: "expected a token string" })
    .min(16, { error: "expected a token of at least 16 characters" }),
  /** Entry or exit camera: the type of reads that carry none (a Plate Recognizer webhook never does). */
  direction: z.enum(["in", "out"], { error: "expected in or out" }).optional(),
  maxBodyBytes: byteSizeAtLeast(1024, "1KB").default(64 * 1024),
  maxReadsPerRequest: intInRange(1, 1000).default(100),
});

export type CameraHttpConfig = z.infer<typeof CameraHttpConfigSchema> & { name: string };
