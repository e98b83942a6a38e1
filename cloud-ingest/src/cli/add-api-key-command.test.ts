import { readFileSync, statSync } from "node:fs";
import { ConfigError } from "@lotwatch/protocol/errors.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadApiKeys } from "../api-keys/api-keys-file.js";
import { createApiKeyVerifier } from "../api-keys/key-verifier.js";
import { createTempDir, type TempDir } from "../test-support/fixtures.js";
import { runAddApiKeyCommand } from "./add-api-key-command.js";

let dir: TempDir;
beforeEach(() => {
  dir = createTempDir();
});
afterEach(() => dir.remove());

async function run(argv: string[], env: NodeJS.ProcessEnv = {}) {
  let stdout = "";
  let stderr = "";
  const code = await runAddApiKeyCommand(argv, env, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
  });
  return { code, stdout, stderr };
}

describe("lotwatch-ingest add-api-key", () => {
  it("prints a new key once, stores only its hash, and the key verifies", async () => {
    const file = dir.file("api-keys.yaml");
    const { code, stdout, stderr } = await run(["--api-keys", file, "--name", "dashboard"]);
    expect(code).toBe(0);
    const key = stdout.trim();
    expect(key).toMatch(/^dashboard\.[A-Za-z0-9_-]{32}$/);
    expect(stderr).toMatch(/added API key dashboard .*shown only this once/);
    expect(readFileSync(file, "utf8")).not.toContain(key.split(".")[1]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const verifier = createApiKeyVerifier({ keys: loadApiKeys(file) });
    expect(await verifier.verify(key)).toEqual({ ok: true, name: "dashboard" });
  });

  it("replaces the key of an existing name and keeps the others", async () => {
    const file = dir.file("api-keys.yaml");
    const old = (await run(["--api-keys", file, "--name", "dashboard"])).stdout.trim();
    await run(["--api-keys", file, "--name", "billing"]);
    const again = await run(["--name", "dashboard"], { LOTWATCH_API_KEYS: file });
    expect(again.stderr).toMatch(/replaced API key dashboard/);
    const verifier = createApiKeyVerifier({ keys: loadApiKeys(file) });
    expect(loadApiKeys(file).map((key) => key.name)).toEqual(["dashboard", "billing"]);
    expect((await verifier.verify(again.stdout.trim())).ok).toBe(true);
    expect((await verifier.verify(old)).ok).toBe(false);
  });

  it("exits 2 without a file, and refuses a name that is not a plain word", async () => {
    const missing = await run(["--name", "dashboard"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/pass --api-keys FILE or set LOTWATCH_API_KEYS/);
    await expect(run(["--api-keys", dir.file("k.yaml"), "--name", "my key"])).rejects.toThrow(ConfigError);
  });
});
