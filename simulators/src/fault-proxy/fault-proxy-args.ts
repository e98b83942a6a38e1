import { badArgument, parseNumber } from "../cli/bad-argument.js";
import type { FaultProxyTarget, LinkShape } from "./fault-proxy.js";

/** The options of `lotwatch-sim fault-proxy` as commander hands them over: strings. */
export interface RawFaultProxyArgs {
  listen: string;
  target: string;
  host: string;
  controlPort?: string;
  latency: string;
  bandwidth: string;
  drop: string;
  loss: string;
  seed?: string;
}

export interface FaultProxyArgs {
  host: string;
  listenPort: number;
  target: FaultProxyTarget;
  /** undefined = no control server. */
  controlPort?: number;
  shape: LinkShape;
  /** undefined = unseeded drop and loss draws. */
  seed?: number;
}

export const FAULT_PROXY_DEFAULTS = {
  host: "127.0.0.1",
  latency: "0",
  bandwidth: "0",
  drop: "0",
  loss: "0",
} as const;

const isPort = (n: number) => Number.isInteger(n) && n >= 0 && n <= 65_535;

export function parseFaultProxyArgs(raw: RawFaultProxyArgs): FaultProxyArgs {
  const listenPort = parseNumber(
    "--listen",
    raw.listen,
    isPort,
    "a port from 0 to 65535 (0 = any free port)",
  );
  const controlPort =
    raw.controlPort === undefined
      ? undefined
      : parseNumber("--control-port", raw.controlPort, isPort, "a port from 0 to 65535 (0 = any free port)");
  const latencyMs = parseNumber(
    "--latency",
    raw.latency,
    (n) => Number.isFinite(n) && n >= 0,
    "a number ≥ 0",
  );
  const bytesPerSecond = parseNumber(
    "--bandwidth",
    raw.bandwidth,
    (n) => Number.isFinite(n) && n >= 0,
    "a number ≥ 0 (0 = unlimited)",
  );
  const dropProbability = parseNumber("--drop", raw.drop, (n) => n >= 0 && n <= 1, "a number from 0 to 1");
  const lossProbability = parseNumber("--loss", raw.loss, (n) => n >= 0 && n < 1, "a number ≥ 0 and < 1");
  const seed =
    raw.seed === undefined ? undefined : parseNumber("--seed", raw.seed, Number.isSafeInteger, "an integer");
  if (raw.host.trim() === "") throw badArgument("--host must be an address, got an empty string");
  return {
    host: raw.host,
    listenPort,
    target: parseTarget(raw.target),
    ...(controlPort === undefined ? {} : { controlPort }),
    shape: { latencyMs, bytesPerSecond, dropProbability, lossProbability, retransmitMs: 200 },
    ...(seed === undefined ? {} : { seed }),
  };
}

/** `host:port`, or `[v6 address]:port`. */
export function parseTarget(raw: string): FaultProxyTarget {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(raw.trim());
  const port = Number(match?.[3]);
  const host = match?.[1] ?? match?.[2];
  if (host === undefined || !(port >= 1 && port <= 65_535)) {
    throw badArgument(`--target must be host:port such as 127.0.0.1:1883, got "${raw}"`);
  }
  return { host, port };
}
