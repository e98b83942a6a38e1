import type { Session, SessionStatus } from "./session.js";

/** Where a page ended: sessions are listed newest start first, then by id descending. */
export interface SessionCursor {
  startedAt: number;
  id: string;
}

export interface SessionQuery {
  status?: SessionStatus | undefined;
  /** A normalized plate; matches the entry or the exit plate. */
  plate?: string | undefined;
  /** Start (entry, or exit of an unmatched exit) at or after, ms. */
  from?: number | undefined;
  /** Start before, ms. */
  to?: number | undefined;
  limit: number;
  after?: SessionCursor | undefined;
}

export interface SessionPage {
  sessions: Session[];
  /** Where the next page starts, or null on the last page. */
  next: SessionCursor | null;
}

/** The sessions part of the Store contract. */
export interface SessionStore {
  listSessions(site: string, query: SessionQuery): Promise<SessionPage>;
}
