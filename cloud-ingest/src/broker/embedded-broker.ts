import { createServer, type Server } from "node:net";
import { Aedes, type AedesOptions } from "aedes";
import type { GatewayDirectory } from "../credentials/credentials-file.js";
import { DEFAULT_MAX_PAYLOAD_BYTES, type MessageHandler } from "../ingest/handle-message.js";
import { createLogger, type Logger } from "../logging/create-logger.js";
import { createCommitTracker } from "./commit-tracker.js";
import { createConnectionRateLimiter, DEFAULT_CONNECTS_PER_SECOND } from "./connection-rate-limit.js";
import {
  type AuthenticateHook,
  createCredentialsAuthenticate,
  createOpenAuthenticate,
} from "./hooks/authenticate.js";
import { createAuthorizePublish } from "./hooks/authorize-publish.js";
import { createAuthorizeSubscribe } from "./hooks/authorize-subscribe.js";
import { guardPacketSize } from "./packet-size-guard.js";
import { createPublishThrottle, DEFAULT_GATEWAY_BYTES_PER_SECOND } from "./publish-throttle.js";
import { aedesRefusal, createRefusalReporter, type RefusalReason, RefusedError } from "./refusals.js";
import {
  createSlowConsumerGuard,
  DEFAULT_DRAIN_TIMEOUT_MS,
  DEFAULT_MAX_CLIENT_WRITE_BUFFER_BYTES,
} from "./slow-consumer-guard.js";

/** Room for a payload of the default limit plus its topic and properties. */
export const DEFAULT_MAX_PACKET_BYTES = maxPacketBytesFor(DEFAULT_MAX_PAYLOAD_BYTES);

/**
 * The packet limit for a payload limit: twice the payload limit (at least 64 KiB). A payload just
 * over its limit still arrives, is stored as a rejection the API lists and is acked, so the gateway
 * moves on; only a packet far beyond it is cut off.
 */
export function maxPacketBytesFor(maxPayloadBytes: number): number {
  return Math.max(2 * maxPayloadBytes, 64 * 1024);
}

export interface EmbeddedBrokerOptions {
  handler: MessageHandler;
  /**
   * Gateway credentials: turns on authentication (username = client id = gateway id, password =
   * secret) and per-gateway topic authorization. Without them every client is accepted.
   */
  gateways?: GatewayDirectory;
  /** Overrides the authentication `gateways` implies. */
  authenticate?: AuthenticateHook;
  /** A connection whose packet announces more bytes is dropped before the packet is buffered. */
  maxPacketBytes?: number;
  /** New connections per second from one address (burst: twice that); more are dropped at once. */
  connectsPerSecond?: number;
  /** Payload bytes per second of one client; past it (after a 2 s burst) its publishes are held back. */
  gatewayBytesPerSecond?: number;
  /** Unsent bytes queued for one client before it is disconnected as a slow consumer. */
  maxClientWriteBufferBytes?: number;
  /** How long aedes waits for a full client socket to drain before dropping it. */
  drainTimeoutMs?: number;
  /** Called for every refused connection, publish, subscription or oversized packet. */
  onRefusal?: (reason: RefusalReason) => void;
  logger?: Logger;
}

export interface EmbeddedBroker {
  /** Not yet listening: the caller picks host and port. */
  server: Server;
  aedes: Aedes;
  /** Stops accepting, disconnects clients, and resolves once every running commit has finished. */
  close(): Promise<void>;
}

/** An in-process MQTT broker whose QoS 1 PUBACK is sent only after the message is stored. */
export async function createEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const logger = options.logger ?? createLogger("broker");
  const commits = createCommitTracker();
  const { gateways } = options;
  const maxPacketBytes = options.maxPacketBytes ?? DEFAULT_MAX_PACKET_BYTES;
  const refusals = createRefusalReporter({ logger, onRefusal: options.onRefusal });
  const connects = createConnectionRateLimiter({
    perSecond: options.connectsPerSecond ?? DEFAULT_CONNECTS_PER_SECOND,
  });
  const throttle = createPublishThrottle({
    bytesPerSecond: options.gatewayBytesPerSecond ?? DEFAULT_GATEWAY_BYTES_PER_SECOND,
  });
  const slowConsumers = createSlowConsumerGuard(
    options.maxClientWriteBufferBytes ?? DEFAULT_MAX_CLIENT_WRITE_BUFFER_BYTES,
  );
  const hooks: AedesOptions = {
    drainTimeout: options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS,
    authenticate:
      options.authenticate ??
      (gateways ? createCredentialsAuthenticate({ gateways, refusals }) : createOpenAuthenticate()),
    authorizePublish: createAuthorizePublish({
      handler: options.handler,
      commits,
      logger,
      gateways,
      refusals,
      throttle,
    }),
  };
  if (gateways) hooks.authorizeSubscribe = createAuthorizeSubscribe({ gateways, refusals });
  const aedes = await Aedes.createBroker(hooks);
  aedes.on("client", (client) => logger.debug({ client: client.id }, "client connected"));
  aedes.on("clientDisconnect", (client) => {
    throttle.forget(client.id);
    logger.debug({ client: client.id }, "client disconnected");
  });
  const onError = (message: string) => (client: { id: string }, error: Error) => {
    // Refusals are counted and logged once per client and reason by the reporter, not per packet.
    if (error instanceof RefusedError) return;
    const refusal = aedesRefusal(error);
    if (refusal !== null) refusals.refuse(client.id, refusal, { error: error.message });
    else logger.warn({ client: client.id, err: error }, message);
  };
  aedes.on("clientError", onError("client error"));
  aedes.on("connectionError", onError("connection refused"));
  // Nagle would hold a PUBACK or a delivery back until the client's TCP ACK of the previous packet,
  // which a client that sends nothing in between delays by up to 40 ms (delayed ACK, issue 5).
  const server = createServer({ noDelay: true }, (socket) => {
    const address = socket.remoteAddress ?? "(unknown)";
    if (!connects.allow(address)) {
      // Before aedes sees it: no CONNECT is parsed and no secret checked for a flood.
      socket.on("error", () => {});
      socket.destroy();
      refusals.refuse(address, "connect_rate_limited");
      return;
    }
    const client = aedes.handle(socket);
    slowConsumers.watch(socket, (queuedBytes) =>
      refusals.refuse(client.id || address, "slow_consumer", { queuedBytes }),
    );
    guardPacketSize(socket, maxPacketBytes, (size) =>
      refusals.refuse(client.id || (socket.remoteAddress ?? "(unknown)"), "packet_too_large", {
        size,
        maxPacketBytes,
      }),
    );
  });

  let closing: Promise<void> | undefined;
  const close = async () => {
    const stopped = new Promise<void>((resolve) => {
      if (!server.listening) resolve();
      else server.close(() => resolve());
    });
    // Closing clients publishes their Last Wills through authorizePublish, so they are tracked too.
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    slowConsumers.close();
    await commits.drain();
    await stopped;
  };
  return {
    server,
    aedes,
    close() {
      closing ??= close();
      return closing;
    },
  };
}
