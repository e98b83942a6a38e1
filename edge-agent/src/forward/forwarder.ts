import { buildTopic } from "@lotwatch/protocol/topics.js";
import mqtt, { type MqttClient } from "mqtt";
import type { EventBuffer } from "../buffer/types.js";
import { createBackoff } from "../common/backoff.js";
import type { Logger } from "../common/logger.js";
import { waitUntil, withTimeout } from "../common/wait.js";
import type { BrokerConfig, ForwardConfig } from "../config/schema.js";
import { buildClientOptions, type ProtocolVersion, readTlsFiles } from "./client-options.js";
import { buildEnvelope, envelopeHead } from "./envelope.js";
import { offlineStatus, onlineStatus } from "./gateway-status.js";

export interface ForwarderObserver {
  batchAcked(events: number, latencySeconds: number): void;
}

export interface ForwarderOptions {
  gateway: { id: string; site: string };
  broker: BrokerConfig;
  forward: ForwardConfig;
  buffer: EventBuffer;
  bootId: string;
  version: string;
  logger: Logger;
  observer?: ForwarderObserver;
  /** Milliseconds since process start. */
  uptimeMs?: () => number;
  /** The wall clock for sentAt and status times. */
  now?: () => Date;
  random?: () => number;
}

export type ForwarderState =
  | { kind: "idle" }
  | { kind: "connecting"; protocolVersion: ProtocolVersion }
  | { kind: "online"; protocolVersion: ProtocolVersion; since: string }
  | { kind: "backoff"; retryAt: string; lastError: string | null }
  | { kind: "stopped" };

export interface Forwarder {
  start(): void;
  /** Waits (bounded) for in-flight batches, says goodbye with a retained offline status, disconnects. */
  stop(timeoutMs?: number): Promise<void>;
  state(): ForwarderState;
  connected(): boolean;
  lastAckAt(): string | null;
}

interface Batch {
  fromSeq: number;
  toSeq: number;
  count: number;
  startedAt: number;
}

/** One connection attempt and what was published on it. */
interface Session {
  client: MqttClient;
  protocolVersion: ProtocolVersion;
  online: boolean;
  ended: boolean;
  /** Highest seq published on this connection; a new connection starts again from the buffer's lowest. */
  cursor: number;
  inFlight: Map<number, Batch>;
  statusTimer: NodeJS.Timeout | null;
  refusedVersion: boolean;
  lastError: Error | null;
}

// CONNACK codes for "I do not speak this protocol version": 3.1.1 return code 1, MQTT 5 reason 0x84.
const UNSUPPORTED_VERSION_CODES = new Set([1, 0x84]);

/**
 * Moves events from the buffer to the broker: QoS 1 envelopes, up to maxInFlight unacknowledged,
 * rows deleted only in the publish callback without error (PUBACK). Every connection, including
 * after a drop or a process restart, resends from the lowest pending seq: nothing unacknowledged is
 * lost, and the ingest discards the repeats by (gateway, seq).
 */
export function createForwarder(options: ForwarderOptions): Forwarder {
  const { buffer, forward, gateway } = options;
  const logger = options.logger;
  const uptimeMs = options.uptimeMs ?? (() => Math.floor(performance.now()));
  const now = options.now ?? (() => new Date());
  const tls = readTlsFiles(options.broker);
  const eventsTopic = buildTopic(gateway.site, gateway.id, "events");
  const statusTopic = buildTopic(gateway.site, gateway.id, "status");
  const statusContext = {
    gateway: gateway.id,
    site: gateway.site,
    bootId: options.bootId,
    version: options.version,
  };
  const backoff = createBackoff({
    initialMs: forward.reconnectMinMs,
    maxMs: forward.reconnectMaxMs,
    random: options.random,
  });

  let protocolVersion: ProtocolVersion = 5;
  let state: ForwarderState = { kind: "idle" };
  let current: Session | null = null;
  let reconnectTimer: NodeJS.Timeout | null = null;
  let offlineSince: number | null = null;
  let lastAckAt: string | null = null;
  let stopping = false;
  let stopped: Promise<void> | null = null;
  let pumping = false;
  let unsubscribe: (() => void) | null = null;
  // PUBACKs that arrive in one turn of the event loop are deleted together, in one transaction.
  let acked: Batch[] = [];
  let ackTimer: NodeJS.Immediate | null = null;

  function deleteAcked(): void {
    if (ackTimer !== null) clearImmediate(ackTimer);
    ackTimer = null;
    if (acked.length === 0) return;
    const ranges = acked;
    acked = [];
    buffer.ack(ranges);
  }

  function connect(): void {
    reconnectTimer = null;
    if (stopping) return;
    const will = { topic: statusTopic, payload: JSON.stringify(offlineStatus(statusContext, now())) };
    const client = mqtt.connect(
      options.broker.url,
      buildClientOptions({ broker: options.broker, gatewayId: gateway.id, protocolVersion, will, tls }),
    );
    const session: Session = {
      client,
      protocolVersion,
      online: false,
      ended: false,
      cursor: 0,
      inFlight: new Map(),
      statusTimer: null,
      refusedVersion: false,
      lastError: null,
    };
    current = session;
    state = { kind: "connecting", protocolVersion };
    client.on("connect", () => {
      // Nagle would hold an envelope until the previous one's TCP ACK (40 ms of delayed ACK on Linux).
      const stream = client.stream as { setNoDelay?: (noDelay: boolean) => unknown };
      stream.setNoDelay?.(true);
      onOnline(session);
    });
    client.on("error", (error) => onError(session, error));
    client.on("close", () => onClosed(session));
  }

  function onOnline(session: Session): void {
    if (session !== current || session.ended || stopping) return;
    session.online = true;
    // The new connection sends from the lowest pending seq: what the last one got acked goes first.
    deleteAcked();
    backoff.reset();
    state = { kind: "online", protocolVersion: session.protocolVersion, since: now().toISOString() };
    const downMs = offlineSince === null ? undefined : Date.now() - offlineSince;
    offlineSince = null;
    logger.info(
      { protocolVersion: session.protocolVersion, downMs, backlog: buffer.depth() },
      "connected to broker",
    );
    publishStatus(session);
    session.statusTimer = setInterval(() => publishStatus(session), forward.statusIntervalMs);
    pump();
  }

  function onError(session: Session, error: Error & { code?: unknown }): void {
    session.lastError = error;
    if (
      !session.online &&
      session.protocolVersion === 5 &&
      UNSUPPORTED_VERSION_CODES.has(Number(error.code))
    ) {
      session.refusedVersion = true;
      protocolVersion = 4;
      logger.info("broker does not accept MQTT 5; using MQTT 3.1.1");
    }
  }

  function onClosed(session: Session): void {
    if (session.ended) return;
    session.ended = true;
    const wasOnline = session.online;
    session.online = false;
    if (session.statusTimer !== null) clearInterval(session.statusTimer);
    const unacked = session.inFlight.size;
    session.inFlight.clear();
    // Releases mqtt.js's state; its callbacks for unacked publishes fire with errors and are ignored.
    session.client.end(true);
    if (stopping || session !== current) return;
    offlineSince ??= Date.now();
    const delay = session.refusedVersion ? 0 : backoff.next();
    const lastError = session.lastError?.message ?? null;
    state = { kind: "backoff", retryAt: new Date(Date.now() + delay).toISOString(), lastError };
    if (wasOnline) {
      logger.warn(
        { err: session.lastError ?? undefined, unacked, retryInMs: delay },
        "lost the broker; unacked batches will be resent",
      );
    } else if (!session.refusedVersion) {
      const level = backoff.attempts === 1 ? "warn" : "debug";
      logger[level](
        { err: session.lastError ?? undefined, retryInMs: delay },
        "cannot connect to broker; retrying",
      );
    }
    reconnectTimer = setTimeout(connect, delay);
  }

  function drop(session: Session, error: Error): void {
    session.lastError = error;
    onClosed(session);
  }

  function pump(): void {
    const session = current;
    if (pumping || session === null || !session.online || stopping) return;
    pumping = true;
    try {
      while (session.inFlight.size < forward.maxInFlight && session.online) {
        const head = envelopeHead({
          gateway: gateway.id,
          bootId: options.bootId,
          uptimeMs: uptimeMs(),
          sentAt: now(),
        });
        const room = Math.max(1, forward.batchMaxBytes - Buffer.byteLength(head) - 2);
        const events = buffer.nextToSend(session.cursor, forward.batchMaxEvents, room);
        const first = events[0];
        const last = events[events.length - 1];
        if (first === undefined || last === undefined) return;
        const batch: Batch = {
          fromSeq: first.seq,
          toSeq: last.seq,
          count: events.length,
          startedAt: performance.now(),
        };
        session.cursor = batch.toSeq;
        session.inFlight.set(batch.fromSeq, batch);
        session.client.publish(eventsTopic, buildEnvelope(head, events), { qos: 1 }, (error) =>
          onPublished(session, batch, error),
        );
      }
    } finally {
      pumping = false;
    }
  }

  function onPublished(session: Session, batch: Batch, error: Error | null | undefined): void {
    if (!error) {
      // PUBACK: the broker has the batch. Deleting is idempotent, so a late ack is harmless too.
      acked.push(batch);
      ackTimer ??= setImmediate(deleteAcked);
      lastAckAt = now().toISOString();
      options.observer?.batchAcked(batch.count, (performance.now() - batch.startedAt) / 1000);
    }
    if (session.ended) return;
    session.inFlight.delete(batch.fromSeq);
    if (error) {
      logger.warn(
        { err: error, fromSeq: batch.fromSeq, toSeq: batch.toSeq },
        "broker refused a batch; reconnecting to resend",
      );
      drop(session, error);
      return;
    }
    pump();
  }

  function publishStatus(session: Session): void {
    const snapshot = {
      uptimeMs: uptimeMs(),
      backlog: buffer.depth(),
      oldestPendingAt: buffer.oldestPendingAt(),
      dropped: buffer.health().dropped,
    };
    const payload = JSON.stringify(onlineStatus(statusContext, snapshot, now()));
    session.client.publish(statusTopic, payload, { qos: 1, retain: true }, (error) => {
      if (error) logger.debug({ err: error }, "status not published");
    });
  }

  async function goodbye(session: Session, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    await waitUntil(
      () => session.inFlight.size === 0 || session.ended,
      deadline - Date.now() - timeoutMs / 4,
    );
    if (session.ended) return;
    if (session.statusTimer !== null) clearInterval(session.statusTimer);
    const payload = JSON.stringify(offlineStatus(statusContext, now()));
    await withTimeout(
      new Promise<void>((resolve) =>
        session.client.publish(statusTopic, payload, { qos: 1, retain: true }, () => resolve()),
      ),
      Math.max(0, deadline - Date.now()) / 2,
    );
    session.ended = true;
    session.online = false;
    const ended = await withTimeout(
      new Promise<boolean>((resolve) => session.client.end(false, {}, () => resolve(true))),
      Math.max(0, deadline - Date.now()),
    );
    if (ended !== true) session.client.end(true);
  }

  async function stop(timeoutMs: number): Promise<void> {
    stopping = true;
    unsubscribe?.();
    if (reconnectTimer !== null) clearTimeout(reconnectTimer);
    const session = current;
    if (session !== null && !session.ended) {
      if (session.online) {
        await goodbye(session, timeoutMs);
      } else {
        session.ended = true;
        session.client.end(true);
      }
      if (session.statusTimer !== null) clearInterval(session.statusTimer);
    }
    deleteAcked();
    state = { kind: "stopped" };
    logger.info({ backlog: buffer.depth() }, "forwarder stopped");
  }

  return {
    start() {
      if (state.kind !== "idle") return;
      unsubscribe = buffer.onCommitted(() => pump());
      connect();
    },
    stop(timeoutMs = 5000) {
      stopped ??= stop(timeoutMs);
      return stopped;
    },
    state: () => state,
    connected: () => current?.online === true,
    lastAckAt: () => lastAckAt,
  };
}
