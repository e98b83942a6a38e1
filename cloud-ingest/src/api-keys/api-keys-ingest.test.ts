import { ConfigError } from "@lotwatch/protocol/errors.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseCommandLine } from "../cli/parse-command-line.js";
import { createSilentLogger } from "../logging/create-logger.js";
import { type RunningIngest, startIngest } from "../run/start-ingest.js";
import { createTempDir, type TempDir, TOPOLOGY_YAML } from "../test-support/fixtures.js";
import { addApiKey } from "./add-api-key.js";

const CHEAP = { N: 1024, r: 8, p: 1 };
let dir: TempDir;
let running: RunningIngest | undefined;

beforeEach(() => {
  dir = createTempDir();
});
afterEach(async () => {
  await running?.close();
  running = undefined;
  dir.remove();
});

describe("--api-keys", () => {
  it("reads the file from the option or LOTWATCH_API_KEYS", () => {
    const base = ["--topology", "t.yaml"];
    expect(parseCommandLine([...base, "--api-keys", "k.yaml"], {}).apiKeysPath).toBe("k.yaml");
    expect(parseCommandLine(base, { LOTWATCH_API_KEYS: "env.yaml" }).apiKeysPath).toBe("env.yaml");
    expect(parseCommandLine(base, {}).apiKeysPath).toBeUndefined();
  });

  it("makes a running ingest ask for a key on /v1 over real HTTP, and leaves health open", async () => {
    const file = dir.file("api-keys.yaml");
    const { key } = await addApiKey({ file, name: "dashboard", scrypt: CHEAP });
    running = await startIngest(
      {
        topologyPath: dir.file("topology.yaml", TOPOLOGY_YAML),
        dbPath: dir.file("ingest.db"),
        host: "127.0.0.1",
        httpPort: 0,
        mqttPort: 0,
        insecure: false,
        apiKeysPath: file,
      },
      { logger: createSilentLogger() },
    );
    const url = running.httpUrl;
    expect((await fetch(`${url}/v1/sites`)).status).toBe(401);
    const answer = await fetch(`${url}/v1/sites`, { headers: { authorization: `Bearer ${key}` } });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ sites: [{ id: "mall-a" }] });
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/openapi.json`)).status).toBe(200);
    expect((await fetch(`${url}/metrics`)).status).toBe(200);
  });

  it("refuses to start with a broken keys file, naming it", async () => {
    const file = dir.file("api-keys.yaml", "apiKeys:\n  - { name: a, keyHash: plain-text }\n");
    const start = startIngest(
      {
        topologyPath: dir.file("topology.yaml", TOPOLOGY_YAML),
        dbPath: dir.file("ingest.db"),
        host: "127.0.0.1",
        httpPort: 0,
        mqttPort: 0,
        insecure: false,
        apiKeysPath: file,
      },
      { logger: createSilentLogger() },
    );
    await expect(start).rejects.toThrow(ConfigError);
    await expect(start).rejects.toThrow(/api-keys\.yaml: apiKeys\[0\]\.keyHash: expected scrypt/);
  });
});
