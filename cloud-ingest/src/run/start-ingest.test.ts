import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { ConfigError } from "@lotwatch/protocol/errors.js";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSilentLogger } from "../logging/create-logger.js";
import { createTempDir, type TempDir, TOPOLOGY_YAML } from "../test-support/fixtures.js";
import { listen } from "./listen.js";
import { isLoopback } from "./loopback.js";
import { type IngestSettings, type RunningIngest, startIngest } from "./start-ingest.js";

let dir: TempDir;
let running: RunningIngest | undefined;
let blocker: Server | undefined;

beforeEach(() => {
  dir = createTempDir();
});
afterEach(async () => {
  await running?.close();
  running = undefined;
  await new Promise((resolve) => (blocker ? blocker.close(resolve) : resolve(undefined)));
  blocker = undefined;
  dir.remove();
});

const settings = (overrides: Partial<IngestSettings> = {}): IngestSettings => ({
  topologyPath: dir.file("topology.yaml", TOPOLOGY_YAML),
  dbPath: dir.file("ingest.db"),
  host: "127.0.0.1",
  httpPort: 0,
  mqttPort: 0,
  insecure: false,
  ...overrides,
});

/** A port something else holds, as Mosquitto holds 1883 on this machine. */
async function takenPort(): Promise<number> {
  blocker = createServer();
  return listen(blocker, "127.0.0.1", 0);
}

/** A logger whose warnings a test can read. */
function recordingLogger() {
  const lines: string[] = [];
  const logger = pino({ level: "warn" }, { write: (line: string) => lines.push(JSON.parse(line).msg) });
  return { logger, lines };
}

describe("startIngest", () => {
  it("serves HTTP and MQTT and writes the ready file", async () => {
    const readyFile = dir.file("ready.json");
    running = await startIngest(settings({ readyFile }), { logger: createSilentLogger() });
    const ready = JSON.parse(readFileSync(readyFile, "utf8"));
    expect(ready).toEqual({ httpUrl: running.httpUrl, mqttUrl: running.mqttUrl, pid: process.pid });
    expect(running.mqttUrl).toMatch(/^mqtt:\/\/127\.0\.0\.1:\d+$/);
    const response = await fetch(`${running.httpUrl}/readyz`);
    expect(response.status).toBe(200);
    await running.close();
    expect(() => readFileSync(readyFile)).toThrow(/ENOENT/);
  });

  it("falls back to a free port with a warning when the default MQTT port is taken", async () => {
    const port = await takenPort();
    const { logger, lines } = recordingLogger();
    running = await startIngest(settings({ mqttPort: undefined }), {
      defaults: { httpPort: 0, mqttPort: port },
      logger,
    });
    const chosen = Number(new URL(running.mqttUrl).port);
    expect(chosen).not.toBe(port);
    expect(lines).toContain(
      `MQTT port ${port} is taken (another broker?); the embedded broker listens on 127.0.0.1:${chosen} instead`,
    );
  });

  it("refuses an explicitly requested port that is taken, naming the port and option", async () => {
    const port = await takenPort();
    const start = startIngest(settings({ httpPort: port }), { logger: createSilentLogger() });
    await expect(start).rejects.toBeInstanceOf(ConfigError);
    await expect(start).rejects.toThrow(`HTTP port ${port} on 127.0.0.1 is taken`);
    await expect(start).rejects.toThrow("--http-port");
  });

  it("refuses a non-loopback host without credentials unless insecure", async () => {
    await expect(
      startIngest(settings({ host: "0.0.0.0" }), { logger: createSilentLogger() }),
    ).rejects.toThrow(/refusing to listen on 0\.0\.0\.0.*--insecure/);
    running = await startIngest(settings({ host: "0.0.0.0", insecure: true }), {
      logger: createSilentLogger(),
    });
    expect(running.httpUrl).toMatch(/^http:\/\/0\.0\.0\.0:\d+$/);
  });

  it("reports a broken topology as a ConfigError naming the file", async () => {
    const topologyPath = dir.file("broken.yaml", "sites: []\n");
    await expect(startIngest(settings({ topologyPath }), { logger: createSilentLogger() })).rejects.toThrow(
      /broken\.yaml: sites: declare at least one site/,
    );
  });
});

describe("isLoopback", () => {
  it("accepts only loopback addresses", () => {
    expect(["127.0.0.1", "127.1.2.3", "::1", "localhost", "::ffff:127.0.0.1"].every(isLoopback)).toBe(true);
    expect(["0.0.0.0", "192.168.1.10", "::", "example.com"].some(isLoopback)).toBe(false);
  });
});
