import { z } from "zod";
import { BAD_PARAMETER, defineRoute, UNKNOWN_SITE } from "../openapi/route-spec.js";
import { CountSourceSchema, SpaceViewSchema } from "../space-view.js";
import { idParam } from "../validation/params.js";

/** The query parameter that may carry the API key on the stream (browsers' EventSource sets no headers). */
export const STREAM_TOKEN_PARAM = "access_token";

const time = z.iso.datetime();

export const streamRoute = defineRoute({
  method: "get",
  path: "/v1/sites/:site/events/stream",
  operationId: "streamCounts",
  summary: "Server-Sent Events of count changes",
  description:
    "First `event: snapshot`, then after each committed batch one `event: count` per space whose current count changed, and a `: heartbeat` comment every 15 s. A slow client gets only the latest change per space.",
  tag: "counts",
  access: "api-key",
  params: z.object({ site: idParam("site id from the topology") }),
  query: z.strictObject({
    [STREAM_TOKEN_PARAM]: z
      .string()
      .describe(
        "the API key, for clients that cannot send Authorization (EventSource); prefer the header, as URLs end up in logs",
      )
      .optional(),
  }),
  response: {
    description: "a text/event-stream that stays open",
    contentType: "text/event-stream",
    schema: z.string(),
    events: {
      snapshot: z.object({ site: z.string(), at: time, spaces: z.array(SpaceViewSchema) }),
      count: z.object({
        site: z.string(),
        space: z.string(),
        source: CountSourceSchema,
        count: z.int().nonnegative(),
        rawCount: z.int(),
        clamped: z.boolean(),
        capacity: z.int().nonnegative().nullable(),
        free: z.int().nonnegative().nullable(),
        at: time.describe("when the change was committed"),
      }),
    },
  },
  errors: [BAD_PARAMETER, UNKNOWN_SITE],
});
