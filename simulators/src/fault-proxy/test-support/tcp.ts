import { connect, createServer, type Server, type Socket } from "node:net";

/** A TCP server on a free loopback port that remembers its sockets; `echo` sends every byte back. */
export interface TestServer {
  port: number;
  sockets: Socket[];
  /** Every byte received, over all connections. */
  received(): Buffer;
  close(): Promise<void>;
}

export async function startTestServer(options: { echo: boolean }): Promise<TestServer> {
  const sockets: Socket[] = [];
  const chunks: Buffer[] = [];
  const server: Server = createServer((socket) => {
    sockets.push(socket);
    socket.on("error", () => {});
    socket.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      if (options.echo) socket.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no TCP address");
  return {
    port: address.port,
    sockets,
    received: () => Buffer.concat(chunks),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A client socket with everything it received and how it ended. */
export interface TestClient {
  socket: Socket;
  received(): Buffer;
  /** Resolves once `bytes` bytes have arrived; rejects after `timeoutMs`. */
  waitForBytes(bytes: number, timeoutMs?: number): Promise<Buffer>;
  /** Resolves when the socket closes, with the error that closed it, if any. */
  closed: Promise<Error | undefined>;
}

export async function connectClient(port: number): Promise<TestClient> {
  const socket = connect({ host: "127.0.0.1", port });
  const chunks: Buffer[] = [];
  let size = 0;
  let lastError: Error | undefined;
  socket.on("data", (chunk: Buffer) => {
    chunks.push(chunk);
    size += chunk.length;
  });
  socket.on("error", (error) => {
    lastError = error;
  });
  const closed = new Promise<Error | undefined>((resolve) => socket.once("close", () => resolve(lastError)));
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("error", reject);
  });
  return {
    socket,
    received: () => Buffer.concat(chunks),
    closed,
    waitForBytes: (bytes, timeoutMs = 5_000) =>
      waitUntil(
        () => size >= bytes,
        () => `${bytes} bytes (got ${size})`,
        timeoutMs,
      ).then(() => Buffer.concat(chunks)),
  };
}

/** Polls `check` every 5 ms; rejects naming `what` after `timeoutMs`. */
export async function waitUntil(
  check: () => boolean,
  what: string | (() => string),
  timeoutMs = 5_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${typeof what === "string" ? what : what()}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
