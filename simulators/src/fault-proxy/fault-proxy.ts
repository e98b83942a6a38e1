import { connect, createServer, type Socket } from "node:net";
import type { Logger } from "../log.js";
import {
  type CutMode,
  checkConditions,
  type LinkConditions,
  type LinkState,
  OPEN_LINK,
} from "./link-conditions.js";
import { createLinkPipe, type LinkPipe } from "./link-pipe.js";

export interface FaultProxyTarget {
  host: string;
  port: number;
}

/** The slowness settings; the state is changed with cut(), stall() and restore(). */
export type LinkShape = Pick<
  LinkConditions,
  "latencyMs" | "bytesPerSecond" | "dropProbability" | "lossProbability" | "retransmitMs"
>;

export interface FaultProxyOptions {
  target: FaultProxyTarget;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: any free port. */
  port?: number;
  /** The link's shape at start, and what restore() returns to. Default: no latency, no limit, no drops. */
  shape?: Partial<LinkShape>;
  /** [0, 1) for the drop draws; default Math.random. */
  random?: () => number;
  logger?: Logger;
}

export interface FaultProxyStats extends LinkConditions {
  target: string;
  activeConnections: number;
  /** Connections forwarded to the target since the start. */
  acceptedConnections: number;
  /** Connections reset at once because the link was cut (mode refuse). */
  refusedConnections: number;
  /** Connections held and ignored because the link was cut (mode blackhole). */
  blackholedConnections: number;
  /** Connections reset by the drop probability. */
  droppedConnections: number;
  /** Chunks lost at least once by the loss probability (they arrived late, by retransmission). */
  lostChunks: number;
  /** Open connections closed by cut(). */
  cutConnections: number;
  bytesToTarget: number;
  bytesFromTarget: number;
  /** Writes on, each way: the drop probability is drawn once per chunk. */
  chunksToTarget: number;
  chunksFromTarget: number;
}

export interface FaultProxy {
  readonly host: string;
  readonly port: number;
  /** `host:port` of the target. */
  readonly target: string;
  /** Closes every connection; new ones are reset (refuse, the default) or held in silence (blackhole). */
  cut(mode?: CutMode): void;
  /** Stops forwarding in both directions; the sockets stay open and bytes wait. */
  stall(): void;
  /** Opens the link again with the start-up shape; held bytes flow, blackholed sockets are closed. */
  restore(): void;
  /** Changes latency, bandwidth or drop probability from now on. */
  shape(changes: Partial<LinkShape>): void;
  stats(): FaultProxyStats;
  close(): Promise<void>;
}

interface Connection {
  client: Socket;
  upstream: Socket;
  pipes: LinkPipe[];
  teardown(reset: boolean): void;
}

const ignore = () => {};

/**
 * A TCP proxy whose link can be cut, stalled or slowed, for fault tests between the agent and the
 * broker. It listens on host:port and opens one connection to the target per client.
 */
export async function createFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const startShape: LinkShape = {
    latencyMs: options.shape?.latencyMs ?? OPEN_LINK.latencyMs,
    bytesPerSecond: options.shape?.bytesPerSecond ?? OPEN_LINK.bytesPerSecond,
    dropProbability: options.shape?.dropProbability ?? OPEN_LINK.dropProbability,
    lossProbability: options.shape?.lossProbability ?? OPEN_LINK.lossProbability,
    retransmitMs: options.shape?.retransmitMs ?? OPEN_LINK.retransmitMs,
  };
  checkConditions(startShape);
  const conditions: LinkConditions = { ...OPEN_LINK, ...startShape };
  const random = options.random ?? Math.random;
  const logger = options.logger;
  const target = `${options.target.host}:${options.target.port}`;
  const connections = new Set<Connection>();
  const blackholed = new Set<Socket>();
  const counters = {
    acceptedConnections: 0,
    refusedConnections: 0,
    blackholedConnections: 0,
    droppedConnections: 0,
    lostChunks: 0,
    cutConnections: 0,
    bytesToTarget: 0,
    bytesFromTarget: 0,
    chunksToTarget: 0,
    chunksFromTarget: 0,
  };

  function holdInSilence(client: Socket): void {
    counters.blackholedConnections++;
    blackholed.add(client);
    client.on("error", ignore);
    client.on("data", ignore);
    client.once("close", () => blackholed.delete(client));
    client.resume();
  }

  function forward(client: Socket): void {
    counters.acceptedConnections++;
    const upstream = connect({ host: options.target.host, port: options.target.port, allowHalfOpen: true });
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    let closed = false;
    const connection: Connection = {
      client,
      upstream,
      pipes: [],
      teardown(reset) {
        if (closed) return;
        closed = true;
        connections.delete(connection);
        for (const pipe of connection.pipes) pipe.dispose();
        for (const socket of [client, upstream]) {
          if (socket.destroyed) continue;
          if (reset && !socket.connecting) socket.resetAndDestroy();
          else socket.destroy();
        }
      },
    };
    const drop = () => {
      counters.droppedConnections++;
      logger?.debug({ target }, "connection dropped by the drop probability");
      connection.teardown(true);
    };
    connection.pipes.push(
      createLinkPipe({
        from: client,
        to: upstream,
        conditions: () => conditions,
        random,
        onDrop: drop,
        onLost: () => counters.lostChunks++,
        onForwarded: (bytes) => {
          counters.bytesToTarget += bytes;
          counters.chunksToTarget++;
        },
      }),
      createLinkPipe({
        from: upstream,
        to: client,
        conditions: () => conditions,
        random,
        onDrop: drop,
        onLost: () => counters.lostChunks++,
        onForwarded: (bytes) => {
          counters.bytesFromTarget += bytes;
          counters.chunksFromTarget++;
        },
      }),
    );
    // An error on either side (a reset, the target refusing) ends both, as a real link would.
    client.on("error", () => connection.teardown(true));
    upstream.on("error", (error) => {
      logger?.debug({ target, err: error }, "target connection failed");
      connection.teardown(true);
    });
    let openSides = 2;
    const sideClosed = () => {
      openSides--;
      if (openSides === 0) connection.teardown(false);
    };
    client.once("close", sideClosed);
    upstream.once("close", sideClosed);
    connections.add(connection);
    client.resume();
  }

  const server = createServer({ pauseOnConnect: true, allowHalfOpen: true }, (client) => {
    if (conditions.state !== "cut") return forward(client);
    if (conditions.cutMode === "blackhole") return holdInSilence(client);
    counters.refusedConnections++;
    client.on("error", ignore);
    client.resetAndDestroy();
  });
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

  function setState(state: LinkState, details: object = {}): void {
    conditions.state = state;
    logger?.info({ target, state, ...details }, `link ${state}`);
  }

  function closeBlackholed(): void {
    for (const socket of blackholed) socket.destroy();
    blackholed.clear();
  }

  return {
    host,
    port,
    target,
    cut(mode = "refuse") {
      conditions.cutMode = mode;
      setState("cut", { mode, closing: connections.size });
      counters.cutConnections += connections.size;
      for (const connection of [...connections]) connection.teardown(true);
      if (mode === "refuse") closeBlackholed();
    },
    stall() {
      setState("stalled", { holding: connections.size });
    },
    restore() {
      Object.assign(conditions, startShape);
      closeBlackholed();
      setState("open");
      for (const connection of connections) for (const pipe of connection.pipes) pipe.wake();
    },
    shape(changes) {
      checkConditions(changes);
      const defined = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined));
      Object.assign(conditions, defined);
      logger?.info({ target, ...defined }, "link shape changed");
      for (const connection of connections) for (const pipe of connection.pipes) pipe.wake();
    },
    stats: () => ({ ...conditions, target, activeConnections: connections.size, ...counters }),
    close() {
      for (const connection of [...connections]) connection.teardown(false);
      closeBlackholed();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
