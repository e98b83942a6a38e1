import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTempDir, type TempDir } from "../test-support/temp-dir.js";

const packageDir = fileURLToPath(new URL("../..", import.meta.url));
const cliPath = join(packageDir, "dist", "cli.js");
let dir: TempDir;

beforeAll(() => {
  if (!existsSync(join(packageDir, "dist", "summary-receiver", "summary-receiver.js")))
    throw new Error(
      "simulators/dist is missing the summary receiver: npx tsc -p simulators/tsconfig.build.json",
    );
});
beforeEach(async () => {
  dir = await createTempDir();
});
afterEach(async () => {
  await dir.remove();
});

/** Runs the CLI until it prints its first stdout line, hands that to `use`, then sends SIGTERM. */
function runReceiver(args: string[], use: (firstLine: string) => Promise<void>) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, "summary-receiver", ...args], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, LOTWATCH_LOG_LEVEL: "warn" },
    });
    let stdout = "";
    let stderr = "";
    let started = false;
    const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
      if (started || !stdout.includes("\n")) return;
      started = true;
      use(stdout.split("\n")[0] ?? "")
        .catch(reject)
        .finally(() => child.kill("SIGTERM"));
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe("lotwatch-sim summary-receiver", () => {
  it("prints its URL, refuses the first N requests, writes the rest and exits 0 on SIGTERM", async () => {
    const out = join(dir.path, "billing.jsonl");
    const statuses: number[] = [];
    const run = await runReceiver(["--port", "0", "--out", out, "--fail-first", "1"], async (line) => {
      const { url } = JSON.parse(line) as { url: string };
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/summaries$/);
      for (const recordId of [1, 2]) {
        const response = await fetch(url, { method: "POST", body: JSON.stringify([{ recordId }]) });
        statuses.push(response.status);
      }
    });
    expect(run.code).toBe(0);
    expect(statuses).toEqual([503, 200]);
    expect(await readFile(out, "utf8")).toBe('{"recordId":2}\n');
  });

  it("exits 2 naming a bad --fail-first", async () => {
    const child = spawn(process.execPath, [cliPath, "summary-receiver", "--out", "x", "--fail-first", "-1"]);
    let stderr = "";
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    const code = await new Promise((resolve) => child.on("close", resolve));
    expect(code).toBe(2);
    expect(stderr).toBe('error: --fail-first must be an integer ≥ 0, got "-1"\n');
  });
});
