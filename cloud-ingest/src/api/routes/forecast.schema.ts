import { z } from "zod";
import { parseStep } from "../../counts/history-step.js";
import { DAY_MS } from "../../forecast/seasonal-model.js";
import { BAD_PARAMETER, defineRoute, UNKNOWN_SITE_OR_SPACE } from "../openapi/route-spec.js";
import { idParam, wholeNumberParam } from "../validation/params.js";

const time = z.iso.datetime();
const DURATION_EXAMPLES = "15m, 1h, 6h or PT6H";
export const MAX_FORECAST_HOURS = 168;
const MIN_STEP_MS = 60_000;

/** A duration such as `6h` or `PT6H`, as `{ text, ms }`; `check` may refuse it with a reason. */
function durationParam(description: string, check: (ms: number) => string | null) {
  return z
    .string()
    .transform((text, ctx) => {
      const ms = parseStep(text);
      const problem = ms === null ? `"${text}" is not a duration such as ${DURATION_EXAMPLES}` : check(ms);
      if (ms !== null && problem === null) return { text, ms };
      ctx.addIssue({ code: "custom", message: problem ?? "is not valid" });
      return z.NEVER;
    })
    .describe(description);
}

export const forecastRoute = defineRoute({
  method: "get",
  path: "/v1/sites/:site/forecast",
  operationId: "getForecast",
  summary: "A space's predicted count for the next hours, with an 80% prediction interval",
  description:
    "Model: weekly seasonal profile (day of week × time of day) scaled by how busy the day runs, plus a damped, exponentially smoothed residual level; trained on up to 28 days of history on the step grid, incrementally, retrained from scratch hourly. Intervals are quantiles of the model's own past errors at that horizon. At most 2000 points.",
  tag: "counts",
  access: "api-key",
  params: z.object({ site: idParam("site id from the topology") }),
  query: z
    .strictObject({
      space: idParam("space id within the site"),
      horizon: durationParam(`how far ahead: ${DURATION_EXAMPLES} (default PT6H, at most 7 days)`, (ms) =>
        ms > MAX_FORECAST_HOURS * 3_600_000
          ? `must be at most 7 days (P7D), got ${ms / 3_600_000} hours`
          : null,
      ).optional(),
      hours: wholeNumberParam(1, MAX_FORECAST_HOURS, "how far ahead in hours, instead of horizon").optional(),
      step: durationParam("between points: 5m, 15m, 1h or PT15M; must divide a day (default 15m)", (ms) =>
        ms < MIN_STEP_MS || DAY_MS % ms !== 0
          ? "must be at least 1 minute and divide a day (5m, 15m, 1h…)"
          : null,
      ).optional(),
    })
    .superRefine((query, ctx) => {
      if (query.horizon !== undefined && query.hours !== undefined) {
        ctx.addIssue({ code: "custom", path: ["hours"], message: "give horizon or hours, not both" });
      }
    }),
  response: {
    description: "the expected count at each step after now, with low and high bounds",
    contentType: "application/json",
    schema: z.object({
      site: z.string(),
      space: z.string(),
      capacity: z.int().nonnegative().nullable(),
      at: time.describe("when the forecast was made; the history ends at the step before"),
      step: z.string(),
      horizon: z.string(),
      intervalLevel: z.number().describe("probability meant to lie between low and high"),
      model: z.object({
        name: z.literal("seasonal-profile-scaled-level"),
        seasonality: z
          .enum(["weekly", "daily", "none"])
          .describe("history the profile rests on: a week or more, a day or more, or less (mean only)"),
        observations: z.int().nonnegative().describe("grid points learnt, from the first count above zero"),
        trainedFrom: time.nullable(),
        trainedTo: time.nullable(),
        builtAt: time.describe("last retrained from scratch"),
      }),
      points: z.array(
        z.object({
          t: time,
          count: z.number().nonnegative().describe("expected count, one decimal"),
          low: z.number().nonnegative(),
          high: z.number().nonnegative(),
        }),
      ),
    }),
  },
  errors: [BAD_PARAMETER, UNKNOWN_SITE_OR_SPACE],
});
