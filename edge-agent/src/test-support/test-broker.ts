import { createServer, type Server, type Socket } from "node:net";
import { createServer as createTlsServer, type TlsOptions } from "node:tls";
import { Aedes } from "aedes";

export interface ReceivedPublish {
  topic: string;
  payload: string;
  retain: boolean;
}

export interface TestBroker {
  port: number;
  url: string;
  /** Every publish, recorded in authorizePublish: before aedes sends the PUBACK, as the ingest stores. */
  received: ReceivedPublish[];
  /** Stops listening and drops every client; start() listens again on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export interface TestBrokerOptions {
  /** Called before each PUBACK; return an Error to refuse the publish. */
  onPublish?: (publish: ReceivedPublish) => Error | null;
  /** Listen with TLS (mqtts://) using these options instead of plain TCP. */
  tls?: TlsOptions;
}

/** An in-process aedes broker on a free 127.0.0.1 port (TCP or TLS), with a record of what it acknowledged. */
export async function startTestBroker(options: TestBrokerOptions = {}): Promise<TestBroker> {
  const received: ReceivedPublish[] = [];
  let aedes: Aedes | null = null;
  let server: Server | null = null;
  let sockets = new Set<Socket>();
  let port = 0;

  async function start(): Promise<void> {
    const broker = await Aedes.createBroker();
    broker.authorizePublish = (_client, packet, callback) => {
      const publish = { topic: packet.topic, payload: packet.payload.toString(), retain: packet.retain };
      const refusal = options.onPublish?.(publish) ?? null;
      if (refusal === null) received.push(publish);
      callback(refusal);
    };
    const handle = (socket: Socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      broker.handle(socket);
    };
    const listener =
      options.tls === undefined
        ? createServer(handle)
        : createTlsServer(options.tls, handle).on("tlsClientError", () => {
            // A client the server refused (no or wrong certificate): nothing to record.
          });
    await new Promise<void>((resolve, reject) => {
      listener.once("error", reject);
      listener.listen(port, "127.0.0.1", () => resolve());
    });
    const address = listener.address();
    if (address === null || typeof address === "string") throw new Error("broker has no TCP address");
    port = address.port;
    aedes = broker;
    server = listener;
  }

  async function stop(): Promise<void> {
    const broker = aedes;
    const listener = server;
    aedes = null;
    server = null;
    for (const socket of sockets) socket.destroy();
    sockets = new Set();
    if (listener) await new Promise<void>((resolve) => listener.close(() => resolve()));
    if (broker) await new Promise<void>((resolve) => broker.close(() => resolve()));
  }

  await start();
  return {
    get port() {
      return port;
    },
    get url() {
      return `${options.tls === undefined ? "mqtt" : "mqtts"}://127.0.0.1:${port}`;
    },
    received,
    stop,
    start,
    close: stop,
  };
}

/** Resolves once check() is true; fails with `what` after timeoutMs. */
export async function waitFor(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
