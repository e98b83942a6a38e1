import { z } from "zod";
import { EnvelopeSchema } from "./envelope.js";
import { EventSchema, ReadingSchema } from "./events.js";
import { GatewayStatusSchema } from "./status.js";

/** The JSON Schemas checked into `protocol/schema/`, for clients that do not run TypeScript. */
export function buildJsonSchemas(): Record<string, unknown> {
  const schemas = {
    envelope: EnvelopeSchema,
    event: EventSchema,
    reading: ReadingSchema,
    "gateway-status": GatewayStatusSchema,
  };
  return Object.fromEntries(
    Object.entries(schemas).map(([fileName, schema]) => [
      `${fileName}.schema.json`,
      {
        $id: `https://lotwatch.dev/schema/v1/${fileName}.schema.json`,
        ...z.toJSONSchema(schema, { io: "input" }),
      },
    ]),
  );
}
