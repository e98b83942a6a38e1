import type { PendingEvent } from "../buffer/types.js";

export interface EnvelopeContext {
  gateway: string;
  bootId: string;
  uptimeMs: number;
  sentAt: Date;
}

/** The envelope up to and including `"events":[`; events and `]}` follow. */
export function envelopeHead(context: EnvelopeContext): string {
  return (
    `{"v":1,"gateway":${JSON.stringify(context.gateway)},"sentAt":"${context.sentAt.toISOString()}",` +
    `"bootId":${JSON.stringify(context.bootId)},"uptimeMs":${context.uptimeMs},"events":[`
  );
}

/** Joins ready-made wire events into one envelope without re-serialising them. */
export function buildEnvelope(head: string, events: readonly PendingEvent[]): string {
  return `${head}${events.map((event) => event.json).join(",")}]}`;
}
