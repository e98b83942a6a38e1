import { describe, expect, it } from "vitest";
import { publishRefusal, subscribeRefusal } from "./gateway-acl.js";

const gw1 = { id: "gw-1", site: "mall-a", secretHash: "unused" };

describe("publishRefusal", () => {
  it.each([
    ["lotwatch/v1/mall-a/gw-1/events", null],
    ["lotwatch/v1/mall-a/gw-1/status", null],
    ["lotwatch/v1/mall-a/gw-2/events", "publish_other_gateway"],
    ["lotwatch/v1/mall-b/gw-1/events", "publish_other_site"],
    ["lotwatch/v1/mall-a/+/events", "publish_wildcard"],
    ["lotwatch/v1/mall-a/gw-1/#", "publish_wildcard"],
    ["lotwatch/v1/mall-a/gw-1/events/extra", "publish_outside_topics"],
    ["lotwatch/v1/mall-a/gw-1/commands", "publish_outside_topics"],
    ["lotwatch/v1/mall-a/gw-1", "publish_outside_topics"],
    ["lotwatch/v2/mall-a/gw-1/events", "publish_outside_topics"],
    ["$SYS/broker/x", "publish_outside_topics"],
    ["other/topic", "publish_outside_topics"],
  ])("%s → %s", (topic, expected) => {
    expect(publishRefusal(gw1, topic)).toBe(expected);
  });

  it("refuses every topic to a client that is not a known gateway", () => {
    expect(publishRefusal(undefined, "lotwatch/v1/mall-a/gw-1/events")).toBe("publish_outside_topics");
  });
});

describe("subscribeRefusal", () => {
  it.each([
    ["lotwatch/v1/mall-a/gw-1/commands", null],
    ["lotwatch/v1/mall-a/gw-1/#", null],
    ["lotwatch/v1/mall-a/gw-1/+", null],
    ["#", "subscribe_outside_prefix"],
    ["+/#", "subscribe_outside_prefix"],
    ["$SYS/#", "subscribe_reserved"],
    ["$share/g/lotwatch/v1/mall-a/gw-1/#", "subscribe_reserved"],
    ["lotwatch/v1/mall-a/+/events", "subscribe_outside_prefix"],
    ["lotwatch/v1/mall-a/#", "subscribe_outside_prefix"],
    ["lotwatch/v1/mall-a/gw-1", "subscribe_outside_prefix"],
    ["lotwatch/v1/mall-a/gw-2/#", "subscribe_outside_prefix"],
  ])("%s → %s", (filter, expected) => {
    expect(subscribeRefusal(gw1, filter)).toBe(expected);
  });
});
