import { createServer, type Socket } from "node:net";
import { waitFor } from "./test-broker.js";

export interface LineSensor {
  /** The port a `tcp-serial` input connects to. */
  port: number;
  /** Waits for the input to connect, then writes JSON lines to it. */
  send(lines: readonly object[]): Promise<void>;
  close(): Promise<void>;
}

/** A serial-to-TCP converter stand-in: a 127.0.0.1 server the agent's tcp-serial input connects to. */
export async function startLineSensor(): Promise<LineSensor> {
  const sockets: Socket[] = [];
  const server = createServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return {
    port: (server.address() as { port: number }).port,
    async send(lines) {
      await waitFor(() => sockets.some((socket) => !socket.destroyed), "the input to connect");
      const socket = sockets.findLast((candidate) => !candidate.destroyed);
      socket?.write(lines.map((line) => `${JSON.stringify(line)}\n`).join(""));
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
