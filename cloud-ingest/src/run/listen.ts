import type { Server } from "node:net";
import { ConfigError } from "@lotwatch/protocol/errors.js";
import type { Logger } from "../logging/create-logger.js";

/** Listens on host:port (0 = any free port) and resolves with the bound port. */
export function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => {
      server.off("listening", onListening);
      reject(error);
    };
    const onListening = () => {
      server.off("error", onError);
      const address = server.address();
      resolve(typeof address === "object" && address !== null ? address.port : port);
    };
    server.once("error", onError);
    server.once("listening", onListening);
    server.listen(port, host);
  });
}

export interface ListenPortOptions {
  host: string;
  /** What the user asked for; undefined means "the default". */
  port: number | undefined;
  defaultPort: number;
  /** "MQTT" or "HTTP", for messages. */
  label: string;
  /** The CLI option that sets the port, named in the error. */
  option: string;
  /** Who listens, for the fallback warning: "the embedded broker". */
  listener: string;
  logger: Logger;
}

/**
 * A default port that is taken falls back to any free port with a warning, because something else
 * (often Mosquitto on 1883) may own it; an explicitly requested port that is taken is an error.
 */
export async function listenPort(server: Server, options: ListenPortOptions): Promise<number> {
  const { host, label } = options;
  const port = options.port ?? options.defaultPort;
  try {
    return await listen(server, host, port);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE" || port === 0) throw error;
    if (options.port !== undefined) {
      throw new ConfigError(
        "port_in_use",
        `${label} port ${port} on ${host} is taken; free it or choose another with ${options.option} (0 = any free port)`,
        { cause: error },
      );
    }
    const chosen = await listen(server, host, 0);
    const hint = label === "MQTT" ? " (another broker?)" : "";
    options.logger.warn(
      { port, chosen },
      `${label} port ${port} is taken${hint}; ${options.listener} listens on ${hostPort(host, chosen)} instead`,
    );
    return chosen;
  }
}

/** host:port with IPv6 hosts in brackets, as URLs need. */
export function hostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}
