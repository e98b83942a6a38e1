import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadCredentials } from "../credentials/credentials-file.js";
import { verifySecret } from "../credentials/secret-hash.js";
import {
  at,
  createTempDir,
  envelope,
  type TempDir,
  TOPOLOGY_YAML,
  vehicle,
} from "../test-support/fixtures.js";
import { runAddGatewayCommand } from "./add-gateway-command.js";

const CLI = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "dist", "cli.js");
const exec = promisify(execFile);
let dir: TempDir;
let ingest: ChildProcess | undefined;

beforeAll(() => {
  if (!existsSync(CLI))
    throw new Error(`${CLI} is missing: build first (npx tsc -p cloud-ingest/tsconfig.build.json)`);
});
beforeEach(() => {
  dir = createTempDir();
});
afterEach(() => {
  if (ingest && ingest.exitCode === null && ingest.signalCode === null) ingest.kill("SIGKILL");
  ingest = undefined;
  dir.remove();
});

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function addGateway(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Result> {
  return exec(process.execPath, [CLI, "add-gateway", ...args], {
    env: { ...process.env, ...env },
    timeout: 10_000,
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );
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

describe("lotwatch-ingest add-gateway", () => {
  it("creates a 0600 credentials file, prints the secret once on stdout and stores only its hash", async () => {
    const file = join(dir.path, "gateways.yaml");
    const result = await addGateway(["--gateways", file, "--id", "gw-1", "--site", "mall-a"]);
    expect(result.code).toBe(0);
    const secret = result.stdout.trim();
    expect(secret).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(result.stderr).toMatch(/added gateway gw-1 \(site mall-a\)/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, "utf8")).not.toContain(secret);
    const [entry] = loadCredentials(file);
    expect(entry).toMatchObject({ id: "gw-1", site: "mall-a" });
    expect(await verifySecret(secret, entry?.secretHash ?? "")).toBe(true);

    const again = await addGateway(["--id", "gw-1", "--site", "mall-a"], { LOTWATCH_GATEWAYS: file });
    expect(again.stderr).toMatch(/replaced the secret of gateway gw-1/);
    const [replaced] = loadCredentials(file);
    expect(await verifySecret(secret, replaced?.secretHash ?? "")).toBe(false);
    expect(await verifySecret(again.stdout.trim(), replaced?.secretHash ?? "")).toBe(true);
  });

  it("exits 2 with a message for a bad id, a missing option or a broken file", async () => {
    const file = join(dir.path, "gateways.yaml");
    const badId = await addGateway(["--gateways", file, "--id", "gw/1", "--site", "mall-a"]);
    expect(badId).toMatchObject({ code: 2, stdout: "" });
    expect(badId.stderr).toMatch(/--id "gw\/1"/);
    // The rest in-process: the same command, without paying for another Node start.
    const output = { stdout: "", stderr: "" };
    const capture = {
      stdout: (text: string) => {
        output.stdout += text;
      },
      stderr: (text: string) => {
        output.stderr += text;
      },
    };
    expect(await runAddGatewayCommand(["--gateways", file, "--id", "gw-1"], {}, capture)).toBe(2);
    expect(output.stderr).toMatch(/required option '--site <site>'/);
    expect(await runAddGatewayCommand(["--id", "gw-1", "--site", "mall-a"], {}, capture)).toBe(2);
    expect(output.stderr).toMatch(/pass --gateways FILE or set LOTWATCH_GATEWAYS/);
    const broken = dir.file("broken.yaml", "gateways: [ { id: gw-1 } ]\n");
    await expect(
      runAddGatewayCommand(["--gateways", broken, "--id", "gw-2", "--site", "mall-a"], {}, capture),
    ).rejects.toThrow(/broken\.yaml: gateways\[0\]\.site/);
    expect(output.stdout).toBe("");
    expect(existsSync(file)).toBe(false);
  });

  it("gives the ingest a secret that mosquitto_pub can log in with, and nothing else can", async () => {
    const file = join(dir.path, "gateways.yaml");
    const secret = (await addGateway(["--gateways", file, "--id", "gw-1", "--site", "mall-a"])).stdout.trim();
    const readyFile = dir.file("ready.json");
    ingest = spawn(
      process.execPath,
      [CLI, "--topology", dir.file("topology.yaml", TOPOLOGY_YAML), "--db", dir.file("ingest.db")].concat([
        "--http-port",
        "0",
        "--mqtt-port",
        "0",
        "--gateways",
        file,
        "--ready-file",
        readyFile,
      ]),
      { stdio: "ignore", env: { ...process.env, LOTWATCH_LOG_LEVEL: "warn" } },
    );
    const ready = await waitFor("the ready file", () =>
      existsSync(readyFile)
        ? (JSON.parse(readFileSync(readyFile, "utf8")) as Record<string, string>)
        : undefined,
    );
    const port = new URL(ready.mqttUrl ?? "").port;
    const message = JSON.stringify(envelope("gw-1", [vehicle("vehicle.entry", "entry-1", 1, at(0))]));
    const pub = (password: string) =>
      exec(
        "/usr/bin/mosquitto_pub",
        ["-h", "127.0.0.1", "-p", port, "-i", "gw-1", "-u", "gw-1", "-P", password, "-q", "1"].concat([
          "-t",
          "lotwatch/v1/mall-a/gw-1/events",
          "-m",
          message,
        ]),
        { timeout: 10_000 },
      );
    await expect(pub("not-the-secret")).rejects.toMatchObject({ code: expect.any(Number) });
    await pub(secret);
    const count = await (await fetch(`${ready.httpUrl}/v1/sites/mall-a/spaces/lot/count`)).json();
    expect(count).toMatchObject({ count: 1 });
  });
});
