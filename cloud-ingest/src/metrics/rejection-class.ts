import type { RejectionInput } from "../store/store.js";

/** A coarse label for a rejection reason, so a metric has few series however varied the reasons. */
export const REJECTION_CLASSES = [
  "topic",
  "too_large",
  "not_json",
  "version",
  "envelope",
  "status",
  "event",
] as const;

export type RejectionClass = (typeof REJECTION_CLASSES)[number];

/**
 * Classifies by the reasons ingest/handle-message.ts and check-envelope.ts write; anything else a
 * whole message was refused for counts as `envelope`.
 */
export function rejectionClass(
  rejection: Pick<RejectionInput, "topic" | "eventIndex" | "reason">,
): RejectionClass {
  const { reason } = rejection;
  if (rejection.eventIndex !== null) return "event";
  if (reason.startsWith("topic is not")) return "topic";
  if (/^payload is \d+ bytes, over/.test(reason)) return "too_large";
  if (reason.startsWith("not JSON")) return "not_json";
  if (rejection.topic.endsWith("/status")) return "status";
  if (reason.startsWith("v: ")) return "version";
  return "envelope";
}
