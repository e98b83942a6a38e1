import { readFileSync, statSync } from "node:fs";
import { ConfigError } from "@lotwatch/protocol/errors.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { hashSecret } from "../credentials/secret-hash.js";
import { createTempDir, type TempDir } from "../test-support/fixtures.js";
import { loadApiKeys, parseApiKeys, writeApiKeys } from "./api-keys-file.js";

let dir: TempDir;
beforeEach(() => {
  dir = createTempDir();
});
afterEach(() => dir.remove());

const CHEAP = { N: 1024, r: 8, p: 1 };

describe("API keys file", () => {
  it("round-trips through an atomic write with mode 0600, hashes only", async () => {
    const file = dir.file("api-keys.yaml");
    const keys = [{ name: "dashboard", keyHash: await hashSecret("dashboard.s3cret", CHEAP) }];
    writeApiKeys(file, keys);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(loadApiKeys(file)).toEqual(keys);
    expect(readFileSync(file, "utf8")).not.toContain("s3cret");
  });

  it("reads a bare list and JSON too", async () => {
    const keyHash = await hashSecret("k", CHEAP);
    expect(parseApiKeys(`- { name: a, keyHash: "${keyHash}" }\n`, "k.yaml")).toEqual([
      { name: "a", keyHash },
    ]);
    expect(parseApiKeys(JSON.stringify({ apiKeys: [{ name: "b", keyHash }] }), "k.json")).toEqual([
      { name: "b", keyHash },
    ]);
  });

  it("names the file and the key of every problem", async () => {
    const bad = "apiKeys:\n  - { name: 'my key', keyHash: nope }\n";
    expect(() => parseApiKeys(bad, "k.yaml")).toThrow(ConfigError);
    expect(() => parseApiKeys(bad, "k.yaml")).toThrow(/k\.yaml: apiKeys\[0\]\.name: key name must be/);
    expect(() => parseApiKeys(bad, "k.yaml")).toThrow(/apiKeys\[0\]\.keyHash: expected scrypt/);
    expect(() => parseApiKeys("- { name: a }\n", "k.yaml")).toThrow(/k\.yaml: \[0\]\.keyHash: /);
    const keyHash = await hashSecret("k", CHEAP);
    const twice = `apiKeys:\n  - { name: a, keyHash: "${keyHash}" }\n  - { name: a, keyHash: "${keyHash}" }\n`;
    expect(() => parseApiKeys(twice, "k.yaml")).toThrow(/apiKeys\[1\]\.name: key "a" is listed twice/);
    expect(() => loadApiKeys(dir.file("missing.yaml"))).toThrow(/missing\.yaml: cannot read the API keys/);
  });
});
