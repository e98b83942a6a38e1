import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { LotwatchError } from "@lotwatch/protocol/errors.js";
import type { Hono } from "hono";

export interface HttpServerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
}

export interface RunningHttpServer {
  /** A URL a local client can use, e.g. http://127.0.0.1:9100. */
  url: string;
  port: number;
  close(): Promise<void>;
}

export function startHttpServer(app: Hono, options: HttpServerOptions): Promise<RunningHttpServer> {
  return new Promise((resolve, reject) => {
    const server = serve(
      { fetch: app.fetch, hostname: options.host, port: options.port },
      (info: AddressInfo) => {
        server.off("error", onError);
        resolve({
          url: `http://${urlHost(options.host)}:${info.port}`,
          port: info.port,
          close: () =>
            new Promise<void>((done) => {
              if ("closeAllConnections" in server) server.closeAllConnections();
              server.close(() => done());
            }),
        });
      },
    );
    function onError(error: Error): void {
      reject(
        new LotwatchError(
          "HTTP_LISTEN_FAILED",
          `http: cannot listen on ${options.host}:${options.port}: ${error.message}; choose another http.port`,
          { cause: error },
        ),
      );
    }
    server.once("error", onError);
  });
}

/** Wildcard binds are reached through loopback; IPv6 literals need brackets in a URL. */
function urlHost(host: string): string {
  if (host === "0.0.0.0" || host === "::") return "127.0.0.1";
  return host.includes(":") ? `[${host}]` : host;
}
