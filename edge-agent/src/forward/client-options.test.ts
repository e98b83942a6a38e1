import { writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BrokerConfig } from "../config/schema.js";
import { createTempDir, type TempDir } from "../test-support/temp-dir.js";
import { createTestCerts, type TestCerts } from "../test-support/test-certs.js";
import { buildClientOptions, readTlsFiles } from "./client-options.js";

describe("readTlsFiles", () => {
  let dir: TempDir;
  let certs: TestCerts;
  beforeAll(() => {
    dir = createTempDir();
    certs = createTestCerts(dir.path);
  });
  afterAll(() => dir.remove());

  const broker = (files: Partial<BrokerConfig>): BrokerConfig => ({
    url: "mqtts://127.0.0.1:8883",
    keepaliveSeconds: 30,
    rejectUnauthorized: true,
    ...files,
  });

  it("reads the CA, certificate and key, and passes them to mqtt.js with rejectUnauthorized", () => {
    const config = broker({ ca: certs.caCert, cert: certs.clientCert, key: certs.clientKey });
    const tls = readTlsFiles(config);
    expect(tls.ca?.toString()).toContain("BEGIN CERTIFICATE");
    const options = buildClientOptions({
      broker: { ...config, rejectUnauthorized: false },
      gatewayId: "gw-1",
      protocolVersion: 5,
      will: { topic: "t", payload: "{}" },
      tls,
    });
    expect(options).toMatchObject({ rejectUnauthorized: false, ca: tls.ca, cert: tls.cert, key: tls.key });
  });

  it("names the key and the file it cannot read", () => {
    const missing = dir.file("missing.pem");
    expect(() => readTlsFiles(broker({ ca: missing }))).toThrow(`broker.ca: cannot read ${missing}: ENOENT`);
  });

  it("names a file that holds no certificate", () => {
    const garbage = dir.file("garbage.pem");
    writeFileSync(garbage, "not a certificate\n");
    expect(() => readTlsFiles(broker({ ca: garbage }))).toThrow(
      `broker.ca: ${garbage} is not a PEM CA certificate`,
    );
    expect(() => readTlsFiles(broker({ cert: garbage, key: certs.clientKey }))).toThrow(
      `broker.cert: ${garbage} is not a PEM certificate`,
    );
  });

  it("names a key that does not belong to the certificate", () => {
    expect(() => readTlsFiles(broker({ cert: certs.clientCert, key: certs.serverKey }))).toThrow(
      `broker.key: ${certs.serverKey} is not a PEM private key matching ${certs.clientCert}`,
    );
  });
});

describe("buildClientOptions", () => {
  it("turns off mqtt-packet's message-id buffer cache, which would keep ~7 MB resident", () => {
    const options = buildClientOptions({
      broker: { url: "mqtt://127.0.0.1:1883", keepaliveSeconds: 30, rejectUnauthorized: true },
      gatewayId: "gw-1",
      protocolVersion: 5,
      will: { topic: "t", payload: "{}" },
      tls: {},
    });
    expect(options.writeCache).toBe(false);
  });
});
