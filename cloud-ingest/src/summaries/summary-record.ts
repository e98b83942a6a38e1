import type { MatchedBy, Session, SessionStatus } from "../sessions/session.js";

/** `void`: the session no longer exists (its reads merged into another by the debounce). */
export type SummaryStatus = SessionStatus | "void";

/**
 * One line of the summaries file / one element of a webhook POST. A consumer keeps, per
 * `sessionId`, the newest record; `corrects` names the record this one replaces (of the same
 * session, or of the session whose exit or entry it took over). Delivery is at least once:
 * dedupe by `recordId`.
 */
export interface SummaryRecord {
  /** Monotonic over the whole ingest. */
  recordId: number;
  /** When the ingest recorded it (ISO); also the day of the file it goes to. */
  recordedAt: string;
  sessionId: string;
  site: string;
  status: SummaryStatus;
  plate: string;
  exitPlate: string | null;
  entryAt: string | null;
  exitAt: string | null;
  durationS: number | null;
  fee: number | null;
  currency: string | null;
  matchedBy: MatchedBy | null;
  corrects?: number;
}

export type SummaryBody = Omit<SummaryRecord, "recordId">;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

// Every record of a batch shares its recordedAt: format it once (issue 5).
let lastRecordedAt = Number.NaN;
let lastRecordedIso = "";
function recordedIso(recordedAt: number): string {
  if (recordedAt !== lastRecordedAt) {
    lastRecordedIso = new Date(recordedAt).toISOString();
    lastRecordedAt = recordedAt;
  }
  return lastRecordedIso;
}

export function summaryOf(
  session: Session,
  status: SummaryStatus,
  corrects: number | null,
  recordedAt: number,
): SummaryBody {
  const body: SummaryBody = {
    recordedAt: recordedIso(recordedAt),
    sessionId: session.id,
    site: session.site,
    status,
    plate: session.plate,
    exitPlate: session.exitPlate,
    entryAt: iso(session.entryAt),
    exitAt: iso(session.exitAt),
    durationS: status === "void" ? null : session.durationS,
    fee: status === "void" ? null : session.fee,
    currency: session.currency,
    matchedBy: session.matchedBy,
  };
  if (corrects !== null) body.corrects = corrects;
  return body;
}
