import { LotwatchError } from "@lotwatch/protocol/errors.js";
import type { Logger } from "../logging/create-logger.js";

/** Why the broker turned a client, a publish or a subscription away; a metric label. */
export const REFUSAL_REASONS = [
  "missing_credentials",
  "unknown_gateway",
  "bad_secret",
  "client_id_mismatch",
  "publish_wildcard",
  "publish_other_site",
  "publish_other_gateway",
  "publish_outside_topics",
  "subscribe_reserved",
  "subscribe_outside_prefix",
  "packet_too_large",
  "topic_too_deep",
  // Floods: a connection refused for its address's connect rate, a client disconnected for not
  // reading what it subscribed to, and a publish held back (not refused) for its gateway's byte rate.
  "connect_rate_limited",
  "slow_consumer",
  "publish_throttled",
] as const;

export type RefusalReason = (typeof REFUSAL_REASONS)[number];

/** What a hook hands aedes when it refuses: already reported, so the broker need not log it again. */
export class RefusedError extends LotwatchError {
  readonly reason: RefusalReason;

  constructor(reason: RefusalReason, message: string) {
    super("refused", message);
    this.reason = reason;
  }
}

/** aedes refuses malformed topics itself, before any hook; these are its messages (lib/handlers/publish.js). */
const AEDES_PUBLISH_ERRORS: [RegExp, RefusalReason][] = [
  [/^[#+] is not allowed in PUBLISH$/, "publish_wildcard"],
  [/^empty topic not allowed in PUBLISH$/, "publish_outside_topics"],
  // aedes' maxTopicLevels (default 100) guards its topic trie, for PUBLISH and SUBSCRIBE alike.
  [/^topic has too many levels$/, "topic_too_deep"],
  // drainTimeout: a client whose socket stayed full that long stopped reading what it subscribed to.
  [/^drain timeout$/, "slow_consumer"],
];

/** The refusal behind a client error aedes raised on its own, or null for any other error. */
export function aedesRefusal(error: Error): RefusalReason | null {
  return AEDES_PUBLISH_ERRORS.find(([pattern]) => pattern.test(error.message))?.[1] ?? null;
}

export interface RefusalReporter {
  /** `who` is the client id (as claimed), else the remote address. */
  refuse(who: string, reason: RefusalReason, detail?: Record<string, unknown>): void;
}

export interface RefusalReporterOptions {
  logger: Logger;
  /** Called for every refusal, e.g. to count it. */
  onRefusal?: (reason: RefusalReason) => void;
  /** How many (client, reason) pairs to remember before forgetting them all. Default 10,000. */
  maxRemembered?: number;
}

/**
 * Counts every refusal but logs a (client, reason) pair once: a misconfigured gateway retries
 * forever and would otherwise flood the log. The memory is bounded; past the bound it starts over.
 */
export function createRefusalReporter(options: RefusalReporterOptions): RefusalReporter {
  const { logger, onRefusal } = options;
  const maxRemembered = options.maxRemembered ?? 10_000;
  const logged = new Set<string>();
  return {
    refuse(who, reason, detail = {}) {
      onRefusal?.(reason);
      const key = `${who}\u0000${reason}`;
      if (logged.has(key)) return;
      if (logged.size >= maxRemembered) logged.clear();
      logged.add(key);
      logger.warn(
        { client: who, reason, ...detail },
        `refused ${who}: ${reason} (logged once per client and reason; see lotwatch_ingest_broker_refusals_total)`,
      );
    },
  };
}
