import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { LotwatchError } from "@lotwatch/protocol/errors.js";
import type { Logger } from "../log.js";
import type { FaultProxy } from "./fault-proxy.js";
import type { CutMode } from "./link-conditions.js";

export interface ControlServerOptions {
  proxy: FaultProxy;
  /** Default 127.0.0.1: the control port can break the link, so it stays local unless asked. */
  host?: string;
  /** Default 0: any free port. */
  port?: number;
  logger?: Logger;
}

export interface ControlServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

const BAD_PARAMETER = "bad_parameter";
const CUT_MODES: readonly CutMode[] = ["refuse", "blackhole"];

type Action = (proxy: FaultProxy, query: URLSearchParams) => void;

/** POST actions; each answers the proxy's stats afterwards. */
const ACTIONS: Record<string, Action> = {
  "/cut": (proxy, query) => proxy.cut(cutMode(query.get("mode"))),
  "/stall": (proxy) => proxy.stall(),
  "/restore": (proxy) => proxy.restore(),
  "/latency": (proxy, query) =>
    proxy.shape({ latencyMs: number(query, "ms", isAtLeastZero, "a number ≥ 0") }),
  "/bandwidth": (proxy, query) =>
    proxy.shape({
      bytesPerSecond: number(query, "bytesPerSecond", isAtLeastZero, "a number ≥ 0 (0 = unlimited)"),
    }),
  "/drop": (proxy, query) =>
    proxy.shape({
      dropProbability: number(query, "probability", (n) => n >= 0 && n <= 1, "a number from 0 to 1"),
    }),
  "/loss": (proxy, query) =>
    proxy.shape({
      lossProbability: number(query, "probability", (n) => n >= 0 && n < 1, "a number ≥ 0 and < 1"),
    }),
};

/**
 * The proxy's HTTP remote control: `POST /cut[?mode=refuse|blackhole]`, `/stall`, `/restore`,
 * `/latency?ms=N`, `/bandwidth?bytesPerSecond=N`, `/drop?probability=P`, `/loss?probability=P`,
 * and `GET /status`.
 */
export async function startControlServer(options: ControlServerOptions): Promise<ControlServer> {
  const { proxy, logger } = options;
  const server = createServer((request, response) => {
    // Parameters travel in the query string; a body is read only to be discarded.
    request.resume();
    send(response, replyTo(request));
  });
  function replyTo(request: IncomingMessage): Reply {
    try {
      return route(proxy, request);
    } catch (error) {
      if (error instanceof LotwatchError && error.code === BAD_PARAMETER) {
        return { status: 400, body: { error: { code: error.code, message: error.message } } };
      }
      logger?.error({ err: error }, "control request failed");
      return { status: 500, body: { error: { code: "internal", message: String(error) } } };
    }
  }
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

interface Reply {
  status: number;
  body: unknown;
  allow?: string;
}

function route(proxy: FaultProxy, request: IncomingMessage): Reply {
  const url = new URL(request.url ?? "/", "http://control");
  if (url.pathname === "/status") {
    return request.method === "GET" ? { status: 200, body: proxy.stats() } : methodNotAllowed("GET");
  }
  const action = ACTIONS[url.pathname];
  if (action === undefined) {
    const paths = ["GET /status", ...Object.keys(ACTIONS).map((path) => `POST ${path}`)].join(", ");
    const message = `no such control path ${url.pathname}; try ${paths}`;
    return { status: 404, body: { error: { code: "not_found", message } } };
  }
  if (request.method !== "POST") return methodNotAllowed("POST");
  action(proxy, url.searchParams);
  return { status: 200, body: proxy.stats() };
}

function methodNotAllowed(allowed: string): Reply {
  return {
    status: 405,
    allow: allowed,
    body: { error: { code: "method_not_allowed", message: `use ${allowed}` } },
  };
}

function send(response: ServerResponse, reply: Reply): void {
  if (reply.allow !== undefined) response.setHeader("Allow", reply.allow);
  response.writeHead(reply.status, { "content-type": "application/json" });
  response.end(`${JSON.stringify(reply.body)}\n`);
}

function isAtLeastZero(n: number): boolean {
  return Number.isFinite(n) && n >= 0;
}

function number(
  query: URLSearchParams,
  name: string,
  rule: (n: number) => boolean,
  expected: string,
): number {
  const raw = query.get(name);
  const value = raw === null || raw.trim() === "" ? Number.NaN : Number(raw);
  if (!rule(value)) {
    throw new LotwatchError(
      BAD_PARAMETER,
      `${name} must be ${expected}, got ${raw === null ? "nothing" : `"${raw}"`}`,
    );
  }
  return value;
}

function cutMode(raw: string | null): CutMode {
  if (raw === null) return "refuse";
  if (!(CUT_MODES as readonly string[]).includes(raw)) {
    throw new LotwatchError(BAD_PARAMETER, `mode must be one of ${CUT_MODES.join(", ")}, got "${raw}"`);
  }
  return raw as CutMode;
}
