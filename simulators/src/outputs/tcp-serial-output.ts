import { once } from "node:events";
import { createServer, type Socket } from "node:net";
import { LotwatchError } from "@lotwatch/protocol/errors.js";
import { type Output, toLines } from "./output.js";

const CLOSE_GRACE_MS = 5000;

export interface TcpSerialOutputOptions {
  host: string;
  /** 0 = any free port; the chosen one is in `describe.port`. */
  port: number;
}

/**
 * A serial-to-Ethernet converter: a TCP server the agent's `tcp-serial` input connects to (the
 * agent is the client). Lines go to every connected client; with none connected, sending waits,
 * as a sensor's lines would pile up in the converter. Bytes in flight when a client drops are lost,
 * as on a real serial link.
 */
export async function createTcpSerialOutput(options: TcpSerialOutputOptions): Promise<Output> {
  const clients = new Set<Socket>();
  let connected: (() => void) | undefined;
  const server = createServer((socket) => {
    socket.setNoDelay(true);
    clients.add(socket);
    socket.on("error", () => socket.destroy());
    socket.on("close", () => clients.delete(socket));
    // Nothing is expected from the agent; reading keeps the socket from stalling on a chatty peer.
    socket.resume();
    connected?.();
  });
  server.listen(options.port, options.host);
  try {
    await once(server, "listening");
  } catch (error) {
    throw new LotwatchError(
      "LISTEN_FAILED",
      `could not listen on ${options.host}:${options.port}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : options.port;

  async function waitForClient(signal: AbortSignal): Promise<void> {
    while (clients.size === 0 && !signal.aborted) {
      await new Promise<void>((resolve) => {
        connected = resolve;
        signal.addEventListener("abort", () => resolve(), { once: true });
      });
    }
  }

  return {
    describe: { output: "tcp-serial", host: options.host, port },
    async send(batch, signal) {
      await waitForClient(signal);
      const chunk = toLines(batch);
      await Promise.all(
        [...clients].map(async (socket) => {
          if (!socket.write(chunk)) await Promise.race([once(socket, "drain"), once(socket, "close")]);
        }),
      );
    },
    async close() {
      await Promise.all(
        [...clients].map(async (socket) => {
          const closed = once(socket, "close");
          socket.end();
          // The agent closes its side on our end; one that does not is cut after a while.
          const timer = setTimeout(() => socket.destroy(), CLOSE_GRACE_MS);
          await closed;
          clearTimeout(timer);
        }),
      );
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
