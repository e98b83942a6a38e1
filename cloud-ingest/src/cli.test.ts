import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTempDir, type TempDir, TOPOLOGY_YAML } from "./test-support/fixtures.js";

const CLI = join(dirname(fileURLToPath(import.meta.url)), "..", "dist", "cli.js");
let dir: TempDir;
let child: ChildProcess | undefined;

beforeAll(() => {
  if (!existsSync(CLI))
    throw new Error(`${CLI} is missing: build first (npx tsc -p cloud-ingest/tsconfig.build.json)`);
});
beforeEach(() => {
  dir = createTempDir();
});
afterEach(() => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  child = undefined;
  dir.remove();
});

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], env: NodeJS.ProcessEnv = {}): { process: ChildProcess; exit: Promise<Exit> } {
  const process_ = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, LOTWATCH_LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child = process_;
  let stdout = "";
  let stderr = "";
  process_.stdout?.on("data", (chunk) => {
    stdout += chunk;
  });
  process_.stderr?.on("data", (chunk) => {
    stderr += chunk;
  });
  const exit = new Promise<Exit>((resolve) =>
    process_.once("close", (code) => resolve({ code, stdout, stderr })),
  );
  return { process: process_, exit };
}

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("lotwatch-ingest", () => {
  it("starts on free ports, answers /healthz over HTTP, and exits 0 on SIGTERM", async () => {
    const readyFile = dir.file("ready.json");
    const { process: ingest, exit } = run([
      "--topology",
      dir.file("topology.yaml", TOPOLOGY_YAML),
      "--db",
      dir.file("ingest.db"),
      "--http-port",
      "0",
      "--mqtt-port",
      "0",
      "--ready-file",
      readyFile,
    ]);
    const ready = await waitFor("the ready file", () =>
      existsSync(readyFile)
        ? (JSON.parse(readFileSync(readyFile, "utf8")) as Record<string, unknown>)
        : undefined,
    );
    expect(ready).toMatchObject({
      pid: ingest.pid,
      mqttUrl: expect.stringMatching(/^mqtt:\/\/127\.0\.0\.1:\d+$/),
    });
    const response = await fetch(`${ready.httpUrl}/healthz`);
    expect(await response.json()).toEqual({ ok: true });
    ingest.kill("SIGTERM");
    const { code, stdout } = await exit;
    expect(code).toBe(0);
    expect(stdout).toContain('"msg":"ingest stopped"');
    expect(existsSync(readyFile)).toBe(false);
  });

  it("reads its options from LOTWATCH_* variables", async () => {
    const readyFile = dir.file("ready.json");
    const { process: ingest, exit } = run([], {
      LOTWATCH_TOPOLOGY: dir.file("topology.yaml", TOPOLOGY_YAML),
      LOTWATCH_DB: dir.file("env.db"),
      LOTWATCH_HTTP_PORT: "0",
      LOTWATCH_MQTT_PORT: "0",
      LOTWATCH_READY_FILE: readyFile,
    });
    await waitFor("the ready file", () => (existsSync(readyFile) ? true : undefined));
    expect(existsSync(dir.file("env.db"))).toBe(true);
    ingest.kill("SIGINT");
    expect((await exit).code).toBe(0);
  });

  it("prints one clear line and exits 2 on a bad topology", async () => {
    const topology = dir.file(
      "topology.yaml",
      "sites:\n  - id: a\n    spaces: [ { id: lot } ]\n    lanes: [ { id: l, space: roof, direction: in } ]\n",
    );
    const { code, stderr } = await run(["--topology", topology, "--db", dir.file("x.db")]).exit;
    expect(code).toBe(2);
    expect(stderr).toBe(`lotwatch-ingest: ${topology}: sites[0].lanes[0].space: unknown space "roof"\n`);
  });

  it("exits 2 on a usage error", async () => {
    const { code, stderr } = await run(["--topology", "t.yaml", "--http-port", "eighty"]).exit;
    expect(code).toBe(2);
    expect(stderr).toContain("--http-port");
  });
});
