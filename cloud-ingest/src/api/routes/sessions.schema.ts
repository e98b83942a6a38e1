import { normalizePlate } from "@lotwatch/protocol/plate.js";
import { z } from "zod";
import type { SessionStatus } from "../../sessions/session.js";
import { decodeCursor } from "../../sessions/session-cursor.js";
import { BAD_PARAMETER, defineRoute, UNKNOWN_SITE } from "../openapi/route-spec.js";
import { choiceParam, idParam, isoTimeParam, wholeNumberParam } from "../validation/params.js";

export const DEFAULT_SESSION_LIMIT = 100;
export const MAX_SESSION_LIMIT = 1000;

const time = z.iso.datetime();
const STATUSES = ["open", "closed", "unmatched"] as const satisfies readonly SessionStatus[];

/** The query of `GET /v1/sites/{site}/sessions`; every parameter optional. */
export const SessionsQuerySchema = z
  .strictObject({
    status: choiceParam(STATUSES, "only sessions with this status").optional(),
    plate: z
      .string()
      .transform(normalizePlate)
      .pipe(
        z
          .string()
          .min(1, { error: "must have a letter or digit" })
          .max(16, { error: "is longer than 16 characters" }),
      )
      .describe("entry or exit plate, any spelling (normalized: upper case, no spaces or dashes)")
      .optional(),
    from: isoTimeParam("start (entry, or exit of an unmatched exit) at or after this time").optional(),
    to: isoTimeParam("start before this time").optional(),
    limit: wholeNumberParam(1, MAX_SESSION_LIMIT, "sessions per page", DEFAULT_SESSION_LIMIT).optional(),
    cursor: z
      .string()
      .transform((text, ctx) => {
        const cursor = decodeCursor(text);
        if (cursor !== null) return cursor;
        ctx.addIssue({
          code: "custom",
          message: "is not a cursor from a previous page (use nextCursor as is)",
        });
        return z.NEVER;
      })
      .describe("nextCursor of the previous page, with the same filters")
      .optional(),
  })
  .superRefine((query, ctx) => {
    if (
      query.from !== undefined &&
      query.to !== undefined &&
      Date.parse(query.to) <= Date.parse(query.from)
    ) {
      ctx.addIssue({
        code: "custom",
        path: ["to"],
        message: `must be after from (${query.from}), got "${query.to}"`,
      });
    }
  });

const EventRefSchema = z.object({ gateway: z.string(), seq: z.int().nonnegative(), lane: z.string() });

export const SessionViewSchema = z.object({
  id: z.string().describe("the entry's gateway:seq (an unmatched exit's own)"),
  site: z.string(),
  status: z.enum(STATUSES),
  plate: z.string().describe("normalized plate of the entry (of the exit for an unmatched exit)"),
  exitPlate: z.string().nullable(),
  entryAt: time.nullable(),
  exitAt: time.nullable(),
  entry: EventRefSchema.nullable(),
  exit: EventRefSchema.nullable(),
  matchedBy: z.enum(["exact", "fuzzy"]).nullable(),
  durationS: z.int().nonnegative().nullable(),
  fee: z.number().nonnegative().nullable(),
  currency: z.string().nullable(),
});

export const sessionsRoute = defineRoute({
  method: "get",
  path: "/v1/sites/:site/sessions",
  operationId: "listSessions",
  summary: "A site's parking sessions, newest start first, paged",
  tag: "sessions",
  access: "api-key",
  params: z.object({ site: idParam("site id from the topology") }),
  query: SessionsQuerySchema,
  response: {
    description: "one page of sessions; nextCursor is null on the last page",
    contentType: "application/json",
    schema: z.object({
      site: z.string(),
      sessions: z.array(SessionViewSchema),
      nextCursor: z.string().nullable(),
    }),
  },
  errors: [BAD_PARAMETER, UNKNOWN_SITE],
});
