import { describe, expect, it } from "vitest";
import { buildTopic, parseTopic } from "./topics.js";

describe("topics", () => {
  it("builds and parses the events and status topics", () => {
    expect(buildTopic("mall-a", "gw-north-1", "events")).toBe("lotwatch/v1/mall-a/gw-north-1/events");
    expect(parseTopic("lotwatch/v1/mall-a/gw-north-1/status")).toEqual({
      site: "mall-a",
      gateway: "gw-north-1",
      kind: "status",
    });
  });

  it("refuses to build a topic from an id with a wildcard or separator", () => {
    expect(() => buildTopic("mall/a", "gw", "events")).toThrow(/site id "mall\/a"/);
    expect(() => buildTopic("mall-a", "gw+", "events")).toThrow(/gateway id "gw\+"/);
  });

  it.each([
    "lotwatch/v2/mall-a/gw/events",
    "lotwatch/v1/mall-a/gw/other",
    "lotwatch/v1/mall-a/events",
    "lotwatch/v1/mall-a/gw/events/extra",
    "lotwatch/v1/+/gw/events",
    "",
  ])("returns null for %j", (topic) => {
    expect(parseTopic(topic)).toBeNull();
  });
});
