import { describe, expect, it } from "vitest";
import { EnvelopeHeaderSchema, EnvelopeSchema, MAX_EVENTS_PER_ENVELOPE } from "./envelope.js";
import { newEventId } from "./ids.js";
import { formatIssues } from "./issues.js";
import { GatewayStatusSchema } from "./status.js";

const header = {
  v: 1,
  gateway: "gw-north-1",
  sentAt: "2026-11-22T10:00:00.120Z",
  bootId: "b-1",
  uptimeMs: 81234,
};
const entry = {
  id: newEventId(),
  seq: 7,
  type: "vehicle.entry",
  site: "mall-a",
  occurredAt: "2026-11-22T09:59:58.010Z",
  plate: "KA01AB1234",
  lane: "entry-1",
};

describe("EnvelopeSchema", () => {
  it("accepts a batch of valid events", () => {
    expect(EnvelopeSchema.parse({ ...header, events: [entry] }).events).toHaveLength(1);
  });

  it("names the index and field of a bad event", () => {
    const result = EnvelopeSchema.safeParse({ ...header, events: [entry, { ...entry, plate: 42 }] });
    expect(result.success).toBe(false);
    if (!result.success) expect(formatIssues(result.error)).toBe("events[1].plate: plate must be a string");
  });

  it("refuses another wire protocol version and says which it speaks", () => {
    const result = EnvelopeHeaderSchema.safeParse({ ...header, v: 2, events: [] });
    expect(result.success).toBe(false);
    if (!result.success)
      expect(formatIssues(result.error)).toBe("v: v must be 1 (this ingest speaks wire protocol v1)");
  });

  it("leaves events unchecked in the header schema so valid ones can be kept", () => {
    const parsed = EnvelopeHeaderSchema.parse({ ...header, events: [entry, "garbage", null] });
    expect(parsed.events).toHaveLength(3);
  });

  it("rejects an envelope whose events is not an array or is too long", () => {
    const notArray = EnvelopeHeaderSchema.safeParse({ ...header, events: {} });
    expect(notArray.success).toBe(false);
    if (!notArray.success) expect(formatIssues(notArray.error)).toBe("events: events must be an array");
    const tooMany = EnvelopeHeaderSchema.safeParse({
      ...header,
      events: new Array(MAX_EVENTS_PER_ENVELOPE + 1),
    });
    expect(tooMany.success).toBe(false);
  });

  it("reports every missing header field at once", () => {
    const result = EnvelopeHeaderSchema.safeParse({ events: [] });
    expect(result.success).toBe(false);
    if (!result.success) {
      expect(result.error.issues.map((issue) => issue.path.join("."))).toEqual([
        "v",
        "gateway",
        "sentAt",
        "bootId",
        "uptimeMs",
      ]);
    }
  });
});

describe("GatewayStatusSchema", () => {
  it("accepts a Last Will with only the required fields", () => {
    const will = { v: 1, gateway: "gw-1", site: "mall-a", online: false, at: "2026-11-22T10:00:00.000Z" };
    expect(GatewayStatusSchema.parse(will)).toEqual(will);
  });

  it("rejects a negative backlog", () => {
    const result = GatewayStatusSchema.safeParse({
      v: 1,
      gateway: "gw-1",
      site: "mall-a",
      online: true,
      at: "2026-11-22T10:00:00.000Z",
      backlog: -1,
    });
    expect(result.success).toBe(false);
  });
});
