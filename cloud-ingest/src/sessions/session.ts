/** Where a session's entry or exit came from: the stored event `(gateway, seq)` and its lane. */
export interface EventRef {
  gateway: string;
  seq: number;
  lane: string;
}

/** A vehicle event as the matcher sees it. */
export interface VehicleRead extends EventRef {
  kind: "entry" | "exit";
  /** As read by the camera; the matcher normalizes it. */
  plate: string;
  /** Count time (ms): occurredAt corrected for the gateway's clock (`src/counts/count-time.ts`). */
  at: number;
}

export type SessionStatus = "open" | "closed" | "unmatched";
export const SESSION_STATUSES: readonly SessionStatus[] = ["open", "closed", "unmatched"];

export type MatchedBy = "exact" | "fuzzy";

/** A parking session as the matcher produces it, before pricing. */
export interface MatchedSession {
  /** The entry event's `gateway:seq`; for an unmatched exit, the exit's. */
  id: string;
  status: SessionStatus;
  /** Normalized plate of the entry (of the exit for an unmatched exit). */
  plate: string;
  /** Normalized plate of the exit, or null while open. */
  exitPlate: string | null;
  entryAt: number | null;
  exitAt: number | null;
  entry: EventRef | null;
  exit: EventRef | null;
  matchedBy: MatchedBy | null;
}

/** A stored session: matched, priced, and keyed to its site and plate group. */
export interface Session extends MatchedSession {
  site: string;
  /** confusableKey of the plate: every plate that could fuzzy-match this one shares it. */
  plateKey: string;
  /** Whole seconds from entry to exit, or null unless closed. */
  durationS: number | null;
  fee: number | null;
  currency: string | null;
}

export function refKey(ref: { gateway: string; seq: number }): string {
  return `${ref.gateway}:${ref.seq}`;
}
