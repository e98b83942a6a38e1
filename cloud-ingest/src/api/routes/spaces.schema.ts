import { z } from "zod";
import { parseStep } from "../../counts/history-step.js";
import { BAD_PARAMETER, defineRoute, UNKNOWN_SITE, UNKNOWN_SITE_OR_SPACE } from "../openapi/route-spec.js";
import { CountSourceSchema, SpaceViewSchema } from "../space-view.js";
import { idParam, isoTimeParam } from "../validation/params.js";

const STEP_EXAMPLES = "30s, 5m, 1h, 1d or PT5M";
const DEFAULT_STEP = "5m";

const time = z.iso.datetime();
const SiteParams = z.object({ site: idParam("site id from the topology") });
const SpaceParams = SiteParams.extend({ space: idParam("space id within the site") });

export const spacesRoute = defineRoute({
  method: "get",
  path: "/v1/sites/:site/spaces",
  operationId: "listSpaces",
  summary: "Every space of a site with its current count",
  tag: "counts",
  access: "api-key",
  params: SiteParams,
  query: z.strictObject({}),
  response: {
    description: "the site's spaces in tree order",
    contentType: "application/json",
    schema: z.object({ site: z.string(), spaces: z.array(SpaceViewSchema) }),
  },
  errors: [BAD_PARAMETER, UNKNOWN_SITE],
});

export const spaceCountRoute = defineRoute({
  method: "get",
  path: "/v1/sites/:site/spaces/:space/count",
  operationId: "getSpaceCount",
  summary: "A space's count now, or at a past time",
  tag: "counts",
  access: "api-key",
  params: SpaceParams,
  query: z.strictObject({
    at: isoTimeParam("count at this time (events that occurred at or before it); now when absent").optional(),
  }),
  response: {
    description: "the count, clamped at zero (rawCount and clamped say when)",
    contentType: "application/json",
    schema: z.object({
      site: z.string(),
      space: z.string(),
      source: CountSourceSchema,
      at: time,
      count: z.int().nonnegative(),
      rawCount: z.int(),
      clamped: z.boolean(),
      capacity: z.int().nonnegative().nullable(),
    }),
  },
  errors: [BAD_PARAMETER, UNKNOWN_SITE_OR_SPACE],
});

export const spaceHistoryRoute = defineRoute({
  method: "get",
  path: "/v1/sites/:site/spaces/:space/history",
  operationId: "getSpaceHistory",
  summary: "A space's count at each step from `from` to `to`",
  description: "At most 2000 points; more is a 400 naming `step`.",
  tag: "counts",
  access: "api-key",
  params: SpaceParams,
  query: z.strictObject({
    from: isoTimeParam("first point; default 24 hours before `to`").optional(),
    to: isoTimeParam("last point at or before it; default now").optional(),
    step: z
      .string()
      .transform((text, ctx) => {
        const ms = parseStep(text);
        if (ms !== null) return { text, ms };
        ctx.addIssue({ code: "custom", message: `"${text}" is not a step such as ${STEP_EXAMPLES}` });
        return z.NEVER;
      })
      .describe(`between points: ${STEP_EXAMPLES} (an ISO-8601 duration)`)
      .prefault(DEFAULT_STEP),
  }),
  response: {
    description: "the count at each step boundary",
    contentType: "application/json",
    schema: z.object({
      site: z.string(),
      space: z.string(),
      source: CountSourceSchema,
      from: time,
      to: time,
      step: z.string(),
      points: z.array(
        z.object({
          t: time,
          count: z.int().nonnegative(),
          rawCount: z.int().optional().describe("only where clamped"),
          clamped: z.literal(true).optional().describe("only where clamped"),
        }),
      ),
    }),
  },
  errors: [BAD_PARAMETER, UNKNOWN_SITE_OR_SPACE],
});
