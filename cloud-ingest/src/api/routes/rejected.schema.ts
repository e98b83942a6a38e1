import { z } from "zod";
import { BAD_PARAMETER, defineRoute } from "../openapi/route-spec.js";
import { wholeNumberParam } from "../validation/params.js";

export const DEFAULT_REJECTED_LIMIT = 100;
const MAX_REJECTED_LIMIT = 1000;

export const rejectedRoute = defineRoute({
  method: "get",
  path: "/v1/rejected",
  operationId: "listRejected",
  summary: "The newest refused messages and events, with the reason for each",
  tag: "operations",
  access: "api-key",
  query: z.strictObject({
    limit: wholeNumberParam(
      1,
      MAX_REJECTED_LIMIT,
      "how many, newest first",
      DEFAULT_REJECTED_LIMIT,
    ).optional(),
  }),
  response: {
    description: "rejections, newest first",
    contentType: "application/json",
    schema: z.object({
      rejected: z.array(
        z.object({
          id: z.int(),
          receivedAt: z.iso.datetime(),
          gateway: z.string().nullable(),
          topic: z.string(),
          eventIndex: z.int().nonnegative().nullable().describe("null when the whole message was refused"),
          reason: z.string().describe("names the field, e.g. events[3].plate: plate must be a string"),
          excerpt: z.string().describe("at most 2 KB of what was received"),
        }),
      ),
    }),
  },
  errors: [BAD_PARAMETER],
});
