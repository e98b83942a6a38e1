import { createServer, type Server, type Socket } from "node:net";
import { LotwatchError } from "@lotwatch/protocol/errors.js";

/** A TCP "serial converter" that a tcp-serial input connects to; the benchmark writes its lines. */
export interface LineFeeder {
  port: number;
  /** Resolves once the agent has connected. */
  connected(timeoutMs?: number): Promise<void>;
  /** Writes lines; resolves when the socket has taken them (its buffer drained). */
  write(text: string): Promise<void>;
  close(): Promise<void>;
}

export async function startLineFeeder(): Promise<LineFeeder> {
  let socket: Socket | null = null;
  let onConnect: (() => void) | null = null;
  const server: Server = createServer((connection) => {
    socket?.destroy();
    socket = connection;
    connection.on("error", () => connection.destroy());
    onConnect?.();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("line feeder has no TCP port");
  return {
    port: address.port,
    connected(timeoutMs = 10_000) {
      if (socket !== null) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new LotwatchError("no_input", `the agent did not connect within ${timeoutMs} ms`)),
          timeoutMs,
        );
        onConnect = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    },
    write(text) {
      const current = socket;
      if (current === null) return Promise.reject(new Error("the agent is not connected"));
      return new Promise((resolve, reject) => {
        const flushed = current.write(text, (error) => (error ? reject(error) : undefined));
        if (flushed) resolve();
        else current.once("drain", () => resolve());
      });
    },
    close() {
      socket?.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
