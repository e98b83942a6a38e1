import { describe, expect, it } from "vitest";
import { createConnectionRateLimiter } from "./connection-rate-limit.js";
import { createPublishThrottle } from "./publish-throttle.js";

describe("createConnectionRateLimiter", () => {
  it("lets a burst through, then the average rate, per address", () => {
    let now = 0;
    const limiter = createConnectionRateLimiter({ perSecond: 10, burst: 5, now: () => now });
    const tries = (n: number, address = "10.0.0.1") =>
      Array.from({ length: n }, () => limiter.allow(address)).filter(Boolean).length;
    expect(tries(8)).toBe(5);
    expect(tries(1, "10.0.0.2")).toBe(1);
    now += 500;
    expect(tries(8)).toBe(5);
    now += 100;
    expect(tries(3)).toBe(1);
  });

  it("remembers a bounded number of addresses", () => {
    const limiter = createConnectionRateLimiter({ perSecond: 1, maxAddresses: 100, now: () => 0 });
    for (let i = 0; i < 1_000; i++) limiter.allow(`10.0.${i >> 8}.${i & 255}`);
    expect(limiter.size).toBe(100);
  });
});

describe("createPublishThrottle", () => {
  it("holds a client back by the time its debt takes to pay, and only that client", () => {
    let now = 0;
    const throttle = createPublishThrottle({ bytesPerSecond: 1000, burstBytes: 2000, now: () => now });
    expect(throttle.delayFor("gw-1", 1500)).toBe(0);
    expect(throttle.delayFor("gw-1", 1000)).toBe(500);
    expect(throttle.delayFor("gw-2", 1000)).toBe(0);
    now += 500;
    expect(throttle.delayFor("gw-1", 0)).toBe(0);
    throttle.forget("gw-1");
    expect(throttle.size).toBe(1);
  });
});
