import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { connect } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTempDir, type TempDir } from "../test-support/temp-dir.js";

const cliPath = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));
const run = promisify(execFile);

/** The built CLI as a real process (`npm test` builds it first); resolves with its exit code and output. */
async function sim(args: string[], env: NodeJS.ProcessEnv = {}) {
  return run(process.execPath, [cliPath, ...args], { env: { ...process.env, ...env } }).then(
    (result) => ({ code: 0, ...result }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );
}

describe("lotwatch-sim scenario", () => {
  let dir: TempDir;
  beforeEach(async () => {
    dir = await createTempDir();
  });
  afterEach(() => dir.remove());

  it("exits 2 with one line naming the bad argument", async () => {
    const cases: [string[], string][] = [
      [["scenario", "rush"], 'scenario must be one of mall-day, burst, offline-gateway, got "rush"'],
      [["scenario", "mall-day", "--listen", "4001"], '--listen must be HOST:PORT, got "4001"'],
      [["scenario", "mall-day", "--output", "pty"], "--output pty needs --device"],
      [["scenario", "mall-day", "--match-rate", "2"], '--match-rate must be a number from 0 to 1, got "2"'],
      [
        ["scenario", "mall-day", "--output", "carrier-pigeon"],
        '--output must be one of tcp-serial, pty, http, mqtt, got "carrier-pigeon"',
      ],
    ];
    for (const [args, message] of cases) {
      const result = await sim(args);
      expect({ args, code: result.code, stderr: result.stderr }).toEqual({
        args,
        code: 2,
        stderr: `error: ${message}\n`,
      });
    }
  });

  it("reads its options from LOTWATCH_SIM_* variables, sends over TCP and writes truth and ready files", async () => {
    const ready = join(dir.path, "ready.json");
    const truth = join(dir.path, "truth.json");
    const running = sim(["scenario", "burst", "--truth", truth], {
      LOTWATCH_SIM_LISTEN: "127.0.0.1:0",
      LOTWATCH_SIM_READY_FILE: ready,
      LOTWATCH_SIM_VEHICLES: "20",
      LOTWATCH_SIM_PEOPLE: "0",
      LOTWATCH_SIM_START_AT: "2026-11-21T00:00:00Z",
      LOTWATCH_LOG_LEVEL: "warn",
    });
    let port: number | undefined;
    for (let i = 0; i < 200 && port === undefined; i++) {
      port = await readFile(ready, "utf8").then(
        (text) => (JSON.parse(text) as { port: number }).port,
        () => undefined,
      );
      if (port === undefined) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const socket = connect({ host: "127.0.0.1", port: port as number });
    let text = "";
    socket.on("data", (chunk: Buffer) => {
      text += chunk.toString("utf8");
    });
    const result = await running;
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as { sent: number; bySource: Record<string, number> };
    const lines = text
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { type: string; occurredAt: string });
    expect(lines).toHaveLength(summary.sent);
    expect(lines.filter((l) => l.type === "vehicle.entry").length).toBeGreaterThanOrEqual(20);
    expect(lines[0]?.occurredAt.startsWith("2026-11-21T01:00")).toBe(true);
    const written = JSON.parse(await readFile(truth, "utf8")) as {
      sent: { readings: number };
      scenario: string;
    };
    expect(written).toMatchObject({ scenario: "burst", sent: { readings: summary.sent } });
  });
});
