import { writeFileSync } from "node:fs";
import { ConfigError } from "@lotwatch/protocol/errors.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTempDir, type TempDir } from "../test-support/temp-dir.js";
import { loadConfig } from "./load-config.js";

const VALID_YAML = `
gateway: { id: gw-north-1, site: mall-a }
broker: { url: "mqtt://127.0.0.1:1883", username: gw-north-1, password: secret }
buffer: { path: /var/lib/lotwatch/buffer.db, maxBytes: 2GB, maxAge: 14d }
http: { port: 9100 }
inputs:
  - { type: serial, name: cam0, path: /dev/ttyX, baudRate: 9600, format: jsonl }
  - type: serial
    path: /dev/ttyY
    baudRate: 19200
    format: delimited
    delimited: { separator: ";", fields: [type, lane, plate, confidence, occurredAt] }
  - { type: tcp-serial, host: 127.0.0.1, port: 4001, format: jsonl }
`;

describe("loadConfig", () => {
  let dir: TempDir;
  beforeEach(() => {
    dir = createTempDir();
  });
  afterEach(() => dir.remove());

  function write(name: string, text: string): string {
    const file = dir.file(name);
    writeFileSync(file, text);
    return file;
  }

  function errorOf(run: () => unknown): ConfigError {
    try {
      run();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return error as ConfigError;
    }
    throw new Error("expected a ConfigError");
  }

  it("reads a valid YAML file and fills in defaults", () => {
    const config = loadConfig(write("agent.yaml", VALID_YAML), { env: {} });
    expect(config.gateway).toEqual({ id: "gw-north-1", site: "mall-a" });
    expect(config.buffer).toEqual({
      path: "/var/lib/lotwatch/buffer.db",
      synchronous: "full",
      maxBytes: 2 * 1024 ** 3,
      maxAge: 14 * 86_400_000,
      reserve: 8 * 1024 ** 2,
    });
    expect(config.http).toEqual({ port: 9100, host: "127.0.0.1" });
    expect(config.forward).toMatchObject({ batchMaxEvents: 500, batchMaxBytes: 262_144, maxInFlight: 8 });
    expect(config.inputs.map((input) => input.name)).toEqual(["cam0", "serial-1", "tcp-serial-2"]);
    expect(config.inputs[1]).toMatchObject({
      maxLineLength: 4096,
      delimited: { separator: ";", fields: ["type", "lane", "plate", "confidence", "occurredAt"] },
    });
  });

  it("reads the same config from JSON", () => {
    const json = {
      gateway: { id: "gw-1", site: "s" },
      broker: { url: "mqtts://broker.example:8883" },
      buffer: { path: "/tmp/b.db", synchronous: "normal" },
    };
    const config = loadConfig(write("agent.json", JSON.stringify(json)), { env: {} });
    expect(config.buffer.synchronous).toBe("normal");
    expect(config.inputs).toEqual([]);
  });

  it("lets LOTWATCH_* variables override scalar keys, coercing numbers", () => {
    const config = loadConfig(write("agent.yaml", VALID_YAML), {
      env: {
        LOTWATCH_BROKER__URL: "mqtt://10.0.0.5:1883",
        LOTWATCH_BUFFER__PATH: "/data/buffer.db",
        LOTWATCH_GATEWAY__ID: "gw-south-2",
        LOTWATCH_HTTP__PORT: "0",
        LOTWATCH_FORWARD__MAX_IN_FLIGHT: "4",
        LOTWATCH_BROKER__CLIENT_ID: "agent-7",
        LOTWATCH_INPUTS__0__PATH: "/dev/ttyUSB3",
        LOTWATCH_LOG_LEVEL: "debug",
        LOTWATCH_DB: "ignored: not an agent section",
      },
    });
    expect(config.broker.url).toBe("mqtt://10.0.0.5:1883");
    expect(config.broker.clientId).toBe("agent-7");
    expect(config.buffer.path).toBe("/data/buffer.db");
    expect(config.gateway.id).toBe("gw-south-2");
    expect(config.http.port).toBe(0);
    expect(config.forward.maxInFlight).toBe(4);
    expect(config.inputs[0]).toMatchObject({ path: "/dev/ttyUSB3" });
  });

  it("names the file and key path of a wrong type", () => {
    const file = write("agent.yaml", VALID_YAML.replace("baudRate: 9600", "baudRate: fast"));
    expect(errorOf(() => loadConfig(file, { env: {} })).message).toBe(
      `${file}: inputs[0].baudRate: expected a positive integer`,
    );
  });

  it("names an unknown key so typos are caught", () => {
    const file = write("agent.yaml", VALID_YAML.replace("http: { port: 9100 }", "http: { prot: 9100 }"));
    expect(errorOf(() => loadConfig(file, { env: {} })).message).toBe(`${file}: http.prot: unknown key`);
  });

  it("names a missing required key", () => {
    const file = write("agent.yaml", VALID_YAML.replace("path: /var/lib/lotwatch/buffer.db, ", ""));
    expect(errorOf(() => loadConfig(file, { env: {} })).message).toBe(
      `${file}: buffer.path: missing required key`,
    );
  });

  it("lists every problem, one per line", () => {
    const file = write(
      "agent.yaml",
      VALID_YAML.replace("site: mall-a", "site: 'mall a'").replace("format: jsonl }", "format: xml }"),
    );
    const lines = errorOf(() => loadConfig(file, { env: {} })).message.split("\n");
    expect(lines).toEqual([
      `${file}: gateway.site: site id must be 1-64 characters of letters, digits, '_', '.', '-'`,
      `${file}: inputs[0].format: expected jsonl or delimited`,
    ]);
  });

  it("names the environment variable when an override is wrong", () => {
    const file = write("agent.yaml", VALID_YAML);
    const error = errorOf(() => loadConfig(file, { env: { LOTWATCH_HTTP__PORT: "99999" } }));
    expect(error.message).toBe(
      "LOTWATCH_HTTP__PORT (environment): http.port: expected an integer from 0 to 65535",
    );
    const unknown = errorOf(() => loadConfig(file, { env: { LOTWATCH_HTTP__PROT: "1" } }));
    expect(unknown.message).toBe("LOTWATCH_HTTP__PROT (environment): http.prot: unknown key");
    const noItem = errorOf(() => loadConfig(file, { env: { LOTWATCH_INPUTS__7__PATH: "/dev/x" } }));
    expect(noItem.message).toContain("LOTWATCH_INPUTS__7__PATH: inputs in");
  });

  it("refuses a broker password without a user name", () => {
    const file = write("agent.yaml", VALID_YAML.replace("username: gw-north-1, ", ""));
    expect(errorOf(() => loadConfig(file, { env: {} })).message).toBe(
      `${file}: broker.password: needs broker.username as well`,
    );
  });

  it("reads TLS and clock settings, with rejectUnauthorized and syncCheck defaults", () => {
    const tlsYaml = VALID_YAML.replace(
      'url: "mqtt://127.0.0.1:1883"',
      'url: "mqtts://broker.example:8883", ca: /etc/lotwatch/ca.pem, cert: /etc/lotwatch/gw.pem, key: /etc/lotwatch/gw.key',
    );
    const config = loadConfig(write("agent.yaml", tlsYaml), { env: {} });
    expect(config.broker).toMatchObject({ ca: "/etc/lotwatch/ca.pem", rejectUnauthorized: true });
    expect(config.clock).toEqual({ syncCheck: "auto" });
    const overridden = loadConfig(write("agent.yaml", tlsYaml), {
      env: {
        LOTWATCH_BROKER__REJECT_UNAUTHORIZED: "false",
        LOTWATCH_CLOCK__SYNC_CHECK: "never",
        LOTWATCH_CLOCK__SYNC_FILE: "/run/lotwatch/clock-synced",
      },
    });
    expect(overridden.broker.rejectUnauthorized).toBe(false);
    expect(overridden.clock).toEqual({ syncCheck: "never", syncFile: "/run/lotwatch/clock-synced" });
    const wrong = errorOf(() =>
      loadConfig(write("agent.yaml", tlsYaml), { env: { LOTWATCH_BROKER__REJECT_UNAUTHORIZED: "no" } }),
    );
    expect(wrong.message).toBe(
      "LOTWATCH_BROKER__REJECT_UNAUTHORIZED (environment): broker.rejectUnauthorized: expected true or false",
    );
  });

  it("refuses TLS files with a plain URL and a certificate without its key", () => {
    const file = write(
      "agent.yaml",
      VALID_YAML.replace(
        "username: gw-north-1,",
        "ca: /etc/ca.pem, cert: /etc/gw.pem, username: gw-north-1,",
      ),
    );
    expect(errorOf(() => loadConfig(file, { env: {} })).message.split("\n")).toEqual([
      `${file}: broker.ca: is only used with a TLS URL (mqtts://, ssl://, tls://, wss://)`,
      `${file}: broker.cert: is only used with a TLS URL (mqtts://, ssl://, tls://, wss://)`,
      `${file}: broker.key: missing: a client certificate needs both broker.cert and broker.key`,
    ]);
  });

  it("takes 0 to turn the disk space reserve off", () => {
    const config = loadConfig(write("agent.yaml", VALID_YAML), { env: { LOTWATCH_BUFFER__RESERVE: "0" } });
    expect(config.buffer.reserve).toBe(0);
    const sized = loadConfig(
      write("agent.yaml", VALID_YAML.replace("maxAge: 14d", "maxAge: 14d, reserve: 64MB")),
      {
        env: {},
      },
    );
    expect(sized.buffer.reserve).toBe(64 * 1024 ** 2);
  });

  it("refuses a byte cap too small to hold the buffer's own tables", () => {
    const file = write("agent.yaml", VALID_YAML.replace("maxBytes: 2GB", "maxBytes: 16KB"));
    expect(errorOf(() => loadConfig(file, { env: {} })).message).toBe(
      `${file}: buffer.maxBytes: must be at least 64KB`,
    );
  });

  it("requires the delimited settings with format delimited", () => {
    const file = write("agent.yaml", VALID_YAML.replace(/ {4}delimited: .*\n/, ""));
    expect(errorOf(() => loadConfig(file, { env: {} })).message).toBe(
      `${file}: inputs[1].delimited: required when format is delimited`,
    );
  });

  it("rejects an unknown input type, duplicate names and unreadable sizes", () => {
    const file = write(
      "agent.yaml",
      VALID_YAML.replace("type: tcp-serial", "type: zigbee")
        .replace("name: cam0", "name: serial-1")
        .replace("maxBytes: 2GB", "maxBytes: lots"),
    );
    expect(errorOf(() => loadConfig(file, { env: {} })).message.split("\n")).toEqual([
      `${file}: buffer.maxBytes: expected a size such as "2GB" or "500MB"`,
      `${file}: inputs[2].type: type must be one of serial, tcp-serial, camera-http, modbus-rtu, gpio`,
    ]);
    const duplicate = write("dup.yaml", VALID_YAML.replace("name: cam0", "name: serial-1"));
    expect(errorOf(() => loadConfig(duplicate, { env: {} })).message).toBe(
      `${duplicate}: inputs[1].name: duplicate input name "serial-1"`,
    );
  });

  it("explains unreadable files, bad syntax and unknown extensions", () => {
    expect(errorOf(() => loadConfig(dir.file("missing.yaml"), { env: {} })).message).toMatch(
      /missing\.yaml: cannot read the file \(ENOENT/,
    );
    expect(errorOf(() => loadConfig(write("bad.json", "{ nope"), { env: {} })).message).toMatch(
      /bad\.json: not valid JSON/,
    );
    expect(errorOf(() => loadConfig(write("bad.yaml", "a: [1, 2"), { env: {} })).message).toMatch(
      /bad\.yaml: not valid YAML/,
    );
    expect(errorOf(() => loadConfig(write("agent.toml", ""), { env: {} })).message).toMatch(
      /unsupported file type/,
    );
  });
});
