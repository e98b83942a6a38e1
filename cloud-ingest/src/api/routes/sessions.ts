import { Hono } from "hono";
import type { Session } from "../../sessions/session.js";
import { encodeCursor } from "../../sessions/session-cursor.js";
import type { Store } from "../../store/store.js";
import type { TopologyIndex } from "../../topology/topology-index.js";
import { unknownSite } from "../errors.js";
import { validate } from "../validation/validate.js";
import { DEFAULT_SESSION_LIMIT, sessionsRoute } from "./sessions.schema.js";

export interface SessionRoutesOptions {
  store: Store;
  topology: TopologyIndex;
}

/**
 * Mounted at `/v1/sites/:site/sessions`: the site's sessions, newest start first (start = entry, or
 * exit for an unmatched exit), filtered and paged with an opaque cursor.
 */
export function createSessionRoutes(options: SessionRoutesOptions): Hono {
  const { store, topology } = options;
  return new Hono().get(
    "/",
    validate("param", sessionsRoute.params),
    validate("query", sessionsRoute.query),
    async (c) => {
      const siteId = c.req.valid("param").site;
      if (!topology.sites.has(siteId)) throw unknownSite(siteId);
      const { from, to, limit, cursor, ...filters } = c.req.valid("query");
      const page = await store.listSessions(siteId, {
        ...filters,
        from: from === undefined ? undefined : Date.parse(from),
        to: to === undefined ? undefined : Date.parse(to),
        limit: limit ?? DEFAULT_SESSION_LIMIT,
        after: cursor,
      });
      return c.json({
        site: siteId,
        sessions: page.sessions.map(toView),
        nextCursor: page.next === null ? null : encodeCursor(page.next),
      });
    },
  );
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
