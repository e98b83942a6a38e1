import { readFileSync } from "node:fs";
import { EnvelopeSchema } from "@lotwatch/protocol/envelope.js";
import type { Reading } from "@lotwatch/protocol/events.js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createEventBuffer } from "../buffer/event-buffer.js";
import { createSilentLogger } from "../common/logger.js";
import { type BrokerConfig, ForwardSectionSchema } from "../config/schema.js";
import { createCleanups } from "../test-support/cleanups.js";
import { createTempDir, type TempDir } from "../test-support/temp-dir.js";
import { startTestBroker, type TestBroker, waitFor } from "../test-support/test-broker.js";
import { createTestCerts, type TestCerts } from "../test-support/test-certs.js";
import { createForwarder, type Forwarder } from "./forwarder.js";

const readings = (count: number): Reading[] =>
  Array.from({ length: count }, (_, i) => ({ type: "slot.state", slot: `L1-${i}`, occupied: true }));

describe("the forwarder over TLS", () => {
  let dir: TempDir;
  let certs: TestCerts;
  let broker: TestBroker;
  const cleanups = createCleanups();

  beforeAll(async () => {
    dir = createTempDir();
    certs = createTestCerts(dir.path);
    // The broker insists on a client certificate signed by the test CA.
    broker = await startTestBroker({
      tls: {
        key: readFileSync(certs.serverKey),
        cert: readFileSync(certs.serverCert),
        ca: readFileSync(certs.caCert),
        requestCert: true,
        rejectUnauthorized: true,
      },
    });
  });
  afterAll(async () => {
    await broker.close();
    dir.remove();
  });
  afterEach(() => cleanups.run());

  function start(tls: Partial<BrokerConfig>, name: string) {
    const buffer = createEventBuffer({
      path: dir.file(`${name}.db`),
      gatewayId: "gw-1",
      site: "mall-a",
      bootId: "boot-a",
      logger: createSilentLogger(),
    });
    cleanups.add(() => buffer.close());
    const forwarder: Forwarder = createForwarder({
      gateway: { id: "gw-1", site: "mall-a" },
      broker: { url: broker.url, keepaliveSeconds: 30, rejectUnauthorized: true, ...tls },
      forward: { ...ForwardSectionSchema.parse({}), reconnectMinMs: 50, reconnectMaxMs: 200 },
      buffer,
      bootId: "boot-a",
      version: "0.0.0-test",
      logger: createSilentLogger(),
    });
    forwarder.start();
    cleanups.add(() => forwarder.stop(1000));
    return { buffer, forwarder };
  }

  const deliveredSeqs = () =>
    broker.received
      .filter((publish) => publish.topic === "lotwatch/v1/mall-a/gw-1/events")
      .flatMap((publish) =>
        EnvelopeSchema.parse(JSON.parse(publish.payload)).events.map((event) => event.seq),
      );

  it("delivers over mqtts:// with a private CA and a client certificate", async () => {
    expect(broker.url).toMatch(/^mqtts:\/\/127\.0\.0\.1:\d+$/);
    const { buffer, forwarder } = start(
      { ca: certs.caCert, cert: certs.clientCert, key: certs.clientKey },
      "ok",
    );
    await buffer.accept(readings(100));
    await waitFor(() => buffer.depth() === 0, "the buffer to drain over TLS");
    expect(forwarder.connected()).toBe(true);
    expect(deliveredSeqs().sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
  });

  it("is refused by the broker without a client certificate, and keeps the readings", async () => {
    const before = broker.received.length;
    const { buffer, forwarder } = start({ ca: certs.caCert }, "no-cert");
    await buffer.accept(readings(5));
    await waitFor(
      () =>
        forwarder.state().kind === "backoff" &&
        (forwarder.state() as { lastError: string | null }).lastError !== null,
      "a refused connection",
    );
    expect(broker.received.length).toBe(before);
    expect(buffer.depth()).toBe(5);
  });

  it("refuses a broker whose certificate the configured CA did not sign", async () => {
    const { buffer, forwarder } = start(
      { ca: certs.otherCaCert, cert: certs.clientCert, key: certs.clientKey },
      "wrong-ca",
    );
    await buffer.accept(readings(5));
    await waitFor(() => forwarder.state().kind === "backoff", "a refused connection");
    expect(forwarder.state()).toMatchObject({ lastError: expect.stringMatching(/certificate/i) });
    expect(buffer.depth()).toBe(5);
  });
});
