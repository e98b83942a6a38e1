import { EnvelopeSchema } from "@lotwatch/protocol/envelope.js";
import type { Reading } from "@lotwatch/protocol/events.js";
import { GatewayStatusSchema } from "@lotwatch/protocol/status.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createEventBuffer } from "../buffer/event-buffer.js";
import type { EventBuffer } from "../buffer/types.js";
import { createLogger, createSilentLogger } from "../common/logger.js";
import { type ForwardConfig, ForwardSectionSchema } from "../config/schema.js";
import { createCleanups } from "../test-support/cleanups.js";
import { createTempDir, type TempDir } from "../test-support/temp-dir.js";
import {
  startTestBroker,
  type TestBroker,
  type TestBrokerOptions,
  waitFor,
} from "../test-support/test-broker.js";
import { createForwarder, type Forwarder } from "./forwarder.js";

const EVENTS_TOPIC = "lotwatch/v1/mall-a/gw-1/events";
const STATUS_TOPIC = "lotwatch/v1/mall-a/gw-1/status";

const readings = (count: number, from = 0): Reading[] =>
  Array.from({ length: count }, (_, i) => ({
    type: "door.crossing",
    door: `door-${(from + i) % 7}`,
    direction: 1,
  }));

describe("createForwarder", () => {
  let dir: TempDir;
  let broker: TestBroker;
  const cleanups = createCleanups();

  beforeEach(() => {
    dir = createTempDir();
    cleanups.add(() => dir.remove());
  });
  afterEach(() => cleanups.run());

  async function startBroker(options: TestBrokerOptions = {}): Promise<TestBroker> {
    broker = await startTestBroker(options);
    cleanups.add(() => broker.close());
    return broker;
  }

  function openBuffer(bootId: string): EventBuffer {
    const buffer = createEventBuffer({
      path: dir.file("buffer.db"),
      gatewayId: "gw-1",
      site: "mall-a",
      bootId,
      logger: createSilentLogger(),
    });
    cleanups.add(() => buffer.close());
    return buffer;
  }

  function startForwarder(
    buffer: EventBuffer,
    bootId: string,
    forward: Partial<ForwardConfig> = {},
  ): Forwarder {
    const forwarder = createForwarder({
      gateway: { id: "gw-1", site: "mall-a" },
      broker: { url: broker.url, keepaliveSeconds: 30, rejectUnauthorized: true },
      forward: { ...ForwardSectionSchema.parse({}), reconnectMinMs: 20, reconnectMaxMs: 200, ...forward },
      buffer,
      bootId,
      version: "0.0.0-test",
      logger: process.env.DEBUG_FWD ? createLogger("forwarder") : createSilentLogger(),
    });
    forwarder.start();
    cleanups.add(() => forwarder.stop(1000));
    return forwarder;
  }

  /** Seqs the broker acknowledged, and each envelope validated against the wire schema. */
  function receivedEvents() {
    const envelopes = broker.received
      .filter((p) => p.topic === EVENTS_TOPIC)
      .map((p) => EnvelopeSchema.parse(JSON.parse(p.payload)));
    const events = envelopes.flatMap((envelope) => envelope.events);
    return { envelopes, events, seqs: new Set(events.map((event) => event.seq)) };
  }

  const allSeqs = (count: number) => Array.from({ length: count }, (_, i) => i + 1);

  it("delivers 2,000 readings in bounded batches and empties the buffer", async () => {
    await startBroker();
    const buffer = openBuffer("boot-a");
    const forwarder = startForwarder(buffer, "boot-a", { batchMaxEvents: 150 });
    await Promise.all(Array.from({ length: 200 }, (_, i) => buffer.accept(readings(10, i * 10))));
    await waitFor(() => receivedEvents().seqs.size === 2000 && buffer.depth() === 0, "all 2000 events acked");
    const { envelopes, seqs } = receivedEvents();
    expect([...seqs].sort((a, b) => a - b)).toEqual(allSeqs(2000));
    expect(Math.max(...envelopes.map((envelope) => envelope.events.length))).toBeLessThanOrEqual(150);
    expect(envelopes.every((envelope) => envelope.gateway === "gw-1" && envelope.bootId === "boot-a")).toBe(
      true,
    );
    expect(forwarder.state()).toMatchObject({ kind: "online", protocolVersion: 4 });
    expect(forwarder.lastAckAt()).not.toBeNull();
  });

  it("has deleted every acknowledged row once stop returns", async () => {
    await startBroker();
    const buffer = openBuffer("boot-a");
    const forwarder = startForwarder(buffer, "boot-a", { batchMaxEvents: 100, maxInFlight: 8 });
    await buffer.accept(readings(1000));
    await waitFor(() => receivedEvents().seqs.size === 1000, "all 1000 events at the broker");
    await forwarder.stop(2000);
    expect(buffer.depth()).toBe(0);
    expect(buffer.peek(0, 10, 1_000_000)).toEqual([]);
  });

  it("keeps envelopes under batchMaxBytes", async () => {
    await startBroker();
    const buffer = openBuffer("boot-a");
    startForwarder(buffer, "boot-a", { batchMaxBytes: 2048 });
    await buffer.accept(readings(200));
    await waitFor(() => buffer.depth() === 0, "buffer drained");
    const sizes = broker.received
      .filter((p) => p.topic === EVENTS_TOPIC)
      .map((p) => Buffer.byteLength(p.payload));
    expect(sizes.length).toBeGreaterThan(10);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(2048);
  });

  it("loses nothing when the broker goes away mid-stream and comes back on the same port", async () => {
    // The broker drops off from inside the publish that brings it to 300 events, before that
    // publish is acknowledged: polling for 300 let a fast forwarder send all 2,000 first.
    let seen = 0;
    let stopped: Promise<void> | null = null;
    await startBroker({
      onPublish: (publish) => {
        if (publish.topic !== EVENTS_TOPIC || stopped !== null) return null;
        seen += EnvelopeSchema.parse(JSON.parse(publish.payload)).events.length;
        if (seen >= 300) stopped = broker.stop();
        return null;
      },
    });
    const buffer = openBuffer("boot-a");
    startForwarder(buffer, "boot-a", { batchMaxEvents: 50, maxInFlight: 4 });
    await Promise.all(Array.from({ length: 200 }, (_, i) => buffer.accept(readings(10, i * 10))));
    await waitFor(() => stopped !== null, "part of the stream");
    await stopped;
    await buffer.accept(readings(500));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(buffer.depth()).toBeGreaterThan(500);
    await broker.start();
    await waitFor(() => buffer.depth() === 0, "buffer drained after the broker came back");
    expect([...receivedEvents().seqs].sort((a, b) => a - b)).toEqual(allSeqs(2500));
  });

  it("resends what was pending after a restart, naming the boot that stamped it", async () => {
    await startBroker();
    await broker.stop();
    let buffer = openBuffer("boot-a");
    const first = startForwarder(buffer, "boot-a");
    await buffer.accept(readings(300));
    await first.stop(500);
    buffer.close();

    await broker.start();
    buffer = openBuffer("boot-b");
    startForwarder(buffer, "boot-b");
    await buffer.accept(readings(5));
    await waitFor(() => buffer.depth() === 0, "buffer drained after restart");
    const { events, seqs } = receivedEvents();
    expect([...seqs].sort((a, b) => a - b)).toEqual(allSeqs(305));
    expect(events.find((event) => event.seq === 1)?.bootId).toBe("boot-a");
    expect(events.find((event) => event.seq === 305)?.bootId).toBeUndefined();
  });

  it("resends a batch the broker refused", async () => {
    let refusals = 1;
    await startBroker({
      onPublish: (publish) =>
        publish.topic === EVENTS_TOPIC && refusals-- > 0 ? new Error("store unavailable") : null,
    });
    const buffer = openBuffer("boot-a");
    startForwarder(buffer, "boot-a");
    await buffer.accept(readings(20));
    await waitFor(() => buffer.depth() === 0, "buffer drained after a refusal");
    expect([...receivedEvents().seqs].sort((a, b) => a - b)).toEqual(allSeqs(20));
  });

  it("publishes a retained online status with the backlog, and offline on stop", async () => {
    await startBroker();
    const buffer = openBuffer("boot-a");
    await buffer.accept(readings(3));
    const forwarder = startForwarder(buffer, "boot-a", { statusIntervalMs: 100 });
    await waitFor(
      () => broker.received.filter((p) => p.topic === STATUS_TOPIC).length >= 3,
      "periodic status",
    );
    const statuses = broker.received.filter((p) => p.topic === STATUS_TOPIC);
    const first = GatewayStatusSchema.parse(JSON.parse(statuses[0]?.payload ?? "{}"));
    expect(first).toMatchObject({
      online: true,
      gateway: "gw-1",
      site: "mall-a",
      bootId: "boot-a",
      version: "0.0.0-test",
      dropped: 0,
    });
    expect(first.backlog).toBeGreaterThanOrEqual(0);
    expect(statuses.every((status) => status.retain)).toBe(true);

    await forwarder.stop(1000);
    const last = broker.received.filter((p) => p.topic === STATUS_TOPIC).at(-1);
    expect(GatewayStatusSchema.parse(JSON.parse(last?.payload ?? "{}"))).toMatchObject({ online: false });
    expect(forwarder.state()).toEqual({ kind: "stopped" });
    expect(forwarder.connected()).toBe(false);
  });

  it("keeps retrying with backoff while the broker is down", async () => {
    await startBroker();
    await broker.stop();
    const buffer = openBuffer("boot-a");
    const forwarder = startForwarder(buffer, "boot-a");
    await buffer.accept(readings(10));
    await waitFor(() => forwarder.state().kind === "backoff", "backoff state");
    expect(forwarder.connected()).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await broker.start();
    await waitFor(() => buffer.depth() === 0, "buffer drained once the broker is up");
    expect(forwarder.connected()).toBe(true);
  });
});
