import { spawn } from "node:child_process";
import { lstat, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ReadingSchema } from "@lotwatch/protocol/events.js";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { generateAnprReads } from "./anpr/scenario.js";
import { summarize } from "./anpr/summary.js";
import { createPtyPair, type PtyPair } from "./pty/pty-pair.js";
import { type DeviceReader, openDeviceReader } from "./test-support/device-reader.js";
import { silentLogger } from "./test-support/silent-logger.js";
import { createTempDir, type TempDir } from "./test-support/temp-dir.js";

const packageDir = fileURLToPath(new URL("..", import.meta.url));
const cliPath = join(packageDir, "dist", "cli.js");

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Starts the built CLI; `whenStarted` may signal it. Stopped if it outlives `timeoutMs`. */
function runCli(
  args: string[],
  whenStarted?: (pid: number) => Promise<void>,
  timeoutMs = 20_000,
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    // SIGTERM first: a CLI killed outright would leave its socat behind.
    const stop = () => {
      child.kill("SIGTERM");
      setTimeout(() => child.kill("SIGKILL"), 3000).unref();
    };
    const timer = setTimeout(stop, timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    whenStarted?.(child.pid as number).catch((error: unknown) => {
      stop();
      reject(error);
    });
  });
}

/** `npm test` builds every package first; the CLI tests run that build. */
async function requireBuild(): Promise<void> {
  if (
    !(await stat(cliPath).then(
      () => true,
      () => false,
    ))
  ) {
    throw new Error(`${cliPath} is missing: build first (npm run build)`);
  }
}

const waitUntil = async (check: () => Promise<boolean>, timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
};
const exists = (path: string) =>
  lstat(path).then(
    () => true,
    () => false,
  );

beforeAll(requireBuild, 90_000);

describe("lotwatch-sim camera", () => {
  let dir: TempDir;
  let pair: PtyPair;
  let reader: DeviceReader;

  beforeEach(async () => {
    dir = await createTempDir();
    pair = await createPtyPair({ dir: dir.path, name: "cam0", logger: silentLogger });
    reader = openDeviceReader(pair.devicePath);
  });
  afterEach(async () => {
    reader.close();
    await pair.close();
    await dir.remove();
  });

  it("sends the seeded scenario to the device and prints the summary JSON", async () => {
    const startAt = "2026-11-22T10:00:00.000Z";
    const logPath = join(dir.path, "truth.jsonl");
    const run = await runCli([
      "camera",
      ...["--device", pair.simPath, "--count", "300", "--rate", "0", "--seed", "5"],
      ...["--start-at", startAt, "--log", logPath, "--entry-lane", "gate-in"],
    ]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);

    // --rate 0 still spaces occurredAt 20 ms apart (the default 50 reads/s of simulated time).
    const expected = [
      ...generateAnprReads({
        seed: 5,
        count: 300,
        startAt: Date.parse(startAt),
        rate: 50,
        entryLane: "gate-in",
      }),
    ];
    const lines = await reader.waitForLines(300, 10_000);
    expect(lines.map((line) => ReadingSchema.parse(JSON.parse(line)))).toEqual(expected);
    expect(await readFile(logPath, "utf8")).toBe(lines.map((line) => `${line}\n`).join(""));

    const summary = JSON.parse(run.stdout);
    expect(summary).toEqual({ ...summarize(expected), durationMs: expect.any(Number) });
  });

  it("prints a progress line on stderr every second", async () => {
    const run = await runCli(["camera", "--device", pair.simPath, "--count", "70", "--rate", "50"]);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/^sent \d+\/70 reads, \d+\.\d\/s$/m);
    expect(JSON.parse(run.stdout)).toMatchObject({ expectedCount: expect.any(Number) });
  });

  it("runs until SIGINT with --count 0 and still prints the summary", async () => {
    const run = await runCli(
      ["camera", "--device", pair.simPath, "--count", "0", "--rate", "200"],
      async (pid) => {
        await reader.waitForLines(40, 10_000);
        process.kill(pid, "SIGINT");
      },
    );
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout);
    await waitUntil(async () => reader.lines().length >= summary.entries + summary.exits, 5000);
    expect(reader.lines()).toHaveLength(summary.entries + summary.exits);
    expect(summary.entries + summary.exits).toBeGreaterThanOrEqual(40);
  });

  it("exits 2 with one clear line for a bad argument", async () => {
    const run = await runCli(["camera", "--device", pair.simPath, "--rate", "x"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('error: --rate must be a number ≥ 0, got "x"\n');
    expect(run.stdout).toBe("");
  });

  it("exits 2 when --device is missing or an option is unknown", async () => {
    const missing = await runCli(["camera"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("--device");
    const unknown = await runCli(["camera", "--device", pair.simPath, "--speed", "3"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("--speed");
  });

  it("exits 1 naming the problem when the device does not exist", async () => {
    const run = await runCli(["camera", "--device", join(dir.path, "nope")]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: device .*nope does not exist.*\(DEVICE_NOT_FOUND\)\n$/);
  });
});

describe("lotwatch-sim pty", () => {
  let dir: TempDir;

  beforeEach(async () => {
    dir = await createTempDir();
  });
  afterEach(async () => {
    await dir.remove();
  });

  it("prints both paths, keeps the pair until SIGINT and then removes it", async () => {
    const devicePath = join(dir.path, "cam0");
    const simPath = join(dir.path, "cam0-sim");
    const run = await runCli(["pty", "--dir", dir.path, "--name", "cam0"], async (pid) => {
      await waitUntil(async () => (await exists(devicePath)) && (await exists(simPath)), 5000);
      process.kill(pid, "SIGINT");
    });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout.trim().split("\n")[0] ?? "")).toEqual({ devicePath, simPath });
    expect(await exists(devicePath)).toBe(false);
    expect(await exists(simPath)).toBe(false);
  });
});
