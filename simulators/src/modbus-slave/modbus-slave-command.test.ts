import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { createPtyPair, type PtyPair } from "../pty/pty-pair.js";
import { askRtu } from "../test-support/rtu-ask.js";
import { silentLogger } from "../test-support/silent-logger.js";
import { createTempDir, type TempDir } from "../test-support/temp-dir.js";
import { crcMatches, withCrc } from "./rtu-frames.js";

const cliPath = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));

async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("lotwatch-sim modbus-slave", () => {
  let dir: TempDir | undefined;
  let pair: PtyPair | undefined;
  afterEach(async () => {
    await pair?.close();
    await dir?.remove();
  });

  it("prints ready, answers on the pty, takes control lines, prints changes and stats, and exits 0 on SIGTERM", async () => {
    expect(existsSync(cliPath), "npm test builds dist/cli.js first").toBe(true);
    dir = await createTempDir();
    pair = await createPtyPair({ dir: dir.path, name: "rs485", logger: silentLogger });
    const child = spawn(
      process.execPath,
      [cliPath, "modbus-slave", "--device", pair.simPath, "--units", "3-4", "--slots-per-unit", "2"],
      { stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, LOTWATCH_LOG_LEVEL: "error" } },
    );
    let stdout = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
    const lines = () =>
      stdout
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    await until(() => lines().length > 0, "the ready line");
    expect(lines()[0]).toEqual({ event: "ready", device: pair.simPath, units: [3, 4], slotsPerUnit: 2 });

    child.stdin.write('{"set":{"unit":4,"address":1,"occupied":true}}\n');
    await until(() => lines().length > 1, "the change line");
    expect(lines()[1]).toMatchObject({ event: "change", unit: 4, address: 1, occupied: true });
    const answer = await askRtu(pair.devicePath, withCrc(Buffer.from([4, 3, 0, 0, 0, 2])));
    expect(answer.subarray(0, -2).toString("hex")).toBe("04030400000001");
    expect(crcMatches(answer)).toBe(true);

    child.stdin.write('{"corrupt":1}\n');
    child.stdin.write("not json\n");
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(crcMatches(await askRtu(pair.devicePath, withCrc(Buffer.from([3, 4, 0, 0, 0, 1]))))).toBe(false);

    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(lines().at(-1)).toMatchObject({
      event: "stats",
      requests: 2,
      answered: 2,
      corrupted: 1,
      opens: 1,
    });
  });
});
