import { normalizePlate } from "@lotwatch/protocol/plate.js";
import { Hono } from "hono";
import { z } from "zod";
import { SESSION_STATUSES, type Session, type SessionStatus } from "../../sessions/session.js";
import { decodeCursor, encodeCursor } from "../../sessions/session-cursor.js";
import type { SessionQuery } from "../../sessions/session-query.js";
import type { Store } from "../../store/store.js";
import type { TopologyIndex } from "../../topology/topology-index.js";
import { badParameter, unknownSite } from "../errors.js";

export interface SessionRoutesOptions {
  store: Store;
  topology: TopologyIndex;
}

export const DEFAULT_SESSION_LIMIT = 100;
export const MAX_SESSION_LIMIT = 1000;

const LIMIT_RULE = `must be a whole number from 1 to ${MAX_SESSION_LIMIT}`;
const time = z.iso.datetime({ offset: true, error: "must be an ISO-8601 time such as 2026-11-22T10:00:00Z" });

/** The query of `GET /v1/sites/{site}/sessions`; every parameter optional. */
export const SessionsQuerySchema = z.object({
  status: z
    .enum(SESSION_STATUSES as [SessionStatus, ...SessionStatus[]], {
      error: `must be one of ${SESSION_STATUSES.join(", ")}`,
    })
    .optional(),
  plate: z
    .string()
    .transform(normalizePlate)
    .pipe(
      z.string().min(1, { error: "must not be empty" }).max(16, { error: "is longer than 16 characters" }),
    )
    .optional(),
  from: time.optional(),
  to: time.optional(),
  limit: z
    .string()
    .regex(/^\d+$/, { error: LIMIT_RULE })
    .transform(Number)
    .pipe(z.number().min(1, { error: LIMIT_RULE }).max(MAX_SESSION_LIMIT, { error: LIMIT_RULE }))
    .optional(),
  cursor: z.string().optional(),
});

/**
 * Mounted at `/v1/sites/:site/sessions`: the site's sessions, newest start first (start = entry, or
 * exit for an unmatched exit), filtered and paged with an opaque cursor.
 */
export function createSessionRoutes(options: SessionRoutesOptions): Hono {
  const { store, topology } = options;
  return new Hono().get("/", async (c) => {
    const siteId = c.req.param("site") ?? "";
    if (!topology.sites.has(siteId)) throw unknownSite(siteId);
    const query = parseQuery(c.req.query());
    const page = await store.listSessions(siteId, query);
    return c.json({
      site: siteId,
      sessions: page.sessions.map(toView),
      nextCursor: page.next === null ? null : encodeCursor(page.next),
    });
  });
}

function parseQuery(raw: Record<string, string>): SessionQuery {
  const parsed = SessionsQuerySchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue?.path[0] ?? "query");
    throw badParameter(name, `${issue?.message ?? "invalid"}, got "${raw[name] ?? ""}"`);
  }
  const { status, plate, from, to, limit, cursor } = parsed.data;
  const fromMs = from === undefined ? undefined : Date.parse(from);
  const toMs = to === undefined ? undefined : Date.parse(to);
  if (fromMs !== undefined && toMs !== undefined && toMs <= fromMs) {
    throw badParameter("to", `must be after from (${from}), got "${to}"`);
  }
  const after = cursor === undefined ? undefined : decodeCursor(cursor);
  if (after === null)
    throw badParameter("cursor", "is not a cursor from a previous page (use nextCursor as is)");
  return { status, plate, from: fromMs, to: toMs, limit: limit ?? DEFAULT_SESSION_LIMIT, after };
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function toView(session: Session) {
  return {
    id: session.id,
    site: session.site,
    status: session.status,
    plate: session.plate,
    exitPlate: session.exitPlate,
    entryAt: iso(session.entryAt),
    exitAt: iso(session.exitAt),
    entry: session.entry,
    exit: session.exit,
    matchedBy: session.matchedBy,
    durationS: session.durationS,
    fee: session.fee,
    currency: session.currency,
  };
}
