import { describe, expect, it } from "vitest";
import {
  FAULT_PROXY_DEFAULTS,
  parseFaultProxyArgs,
  parseTarget,
  type RawFaultProxyArgs,
} from "./fault-proxy-args.js";

const raw = (overrides: Partial<RawFaultProxyArgs> = {}): RawFaultProxyArgs => ({
  listen: "0",
  target: "127.0.0.1:1883",
  ...FAULT_PROXY_DEFAULTS,
  ...overrides,
});

describe("parseFaultProxyArgs", () => {
  it("turns the defaults into typed options without a control port", () => {
    expect(parseFaultProxyArgs(raw())).toEqual({
      host: "127.0.0.1",
      listenPort: 0,
      target: { host: "127.0.0.1", port: 1883 },
      shape: { latencyMs: 0, bytesPerSecond: 0, dropProbability: 0, lossProbability: 0, retransmitMs: 200 },
    });
  });

  it("reads the control port, the shape and the seed", () => {
    const args = parseFaultProxyArgs(
      raw({ controlPort: "0", latency: "50", bandwidth: "100000", drop: "0.01", loss: "0.1", seed: "7" }),
    );
    expect(args).toMatchObject({
      controlPort: 0,
      shape: { latencyMs: 50, bytesPerSecond: 100_000, dropProbability: 0.01, lossProbability: 0.1 },
      seed: 7,
    });
  });

  it.each([
    ["broker.local:8883", { host: "broker.local", port: 8883 }],
    ["[::1]:1883", { host: "::1", port: 1883 }],
  ])("reads the target %s", (target, expected) => {
    expect(parseTarget(target)).toEqual(expected);
  });

  it.each([
    [{ listen: "x" }, '--listen must be a port from 0 to 65535 (0 = any free port), got "x"'],
    [{ listen: "70000" }, "--listen must be a port from 0 to 65535"],
    [{ controlPort: "-1" }, "--control-port must be a port from 0 to 65535"],
    [{ target: "1883" }, '--target must be host:port such as 127.0.0.1:1883, got "1883"'],
    [{ target: "localhost:0" }, "--target must be host:port"],
    [{ latency: "-3" }, '--latency must be a number ≥ 0, got "-3"'],
    [{ bandwidth: "fast" }, '--bandwidth must be a number ≥ 0 (0 = unlimited), got "fast"'],
    [{ drop: "1.1" }, '--drop must be a number from 0 to 1, got "1.1"'],
    [{ seed: "1.5" }, '--seed must be an integer, got "1.5"'],
    [{ host: " " }, "--host must be an address"],
  ])("rejects %o with a message naming the flag", (overrides, message) => {
    expect(() => parseFaultProxyArgs(raw(overrides))).toThrow(message);
    expect(() => parseFaultProxyArgs(raw(overrides))).toThrow(
      expect.objectContaining({ code: "BAD_ARGUMENT" }),
    );
  });
});
