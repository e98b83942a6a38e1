import { readFileSync, statSync } from "node:fs";
import { ConfigError } from "@lotwatch/protocol/errors.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTempDir, type TempDir } from "../test-support/fixtures.js";
import { addGateway } from "./add-gateway.js";
import { loadCredentials, parseCredentials, writeCredentials } from "./credentials-file.js";
import { hashSecret, verifySecret } from "./secret-hash.js";

let dir: TempDir;
beforeEach(() => {
  dir = createTempDir();
});
afterEach(() => dir.remove());

const CHEAP = { N: 1024, r: 8, p: 1 };

describe("credentials file", () => {
  it("round-trips through an atomic write with mode 0600", async () => {
    const file = dir.file("gateways.yaml");
    const gateways = [{ id: "gw-1", site: "mall-a", secretHash: await hashSecret("s1", CHEAP) }];
    writeCredentials(file, gateways);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(loadCredentials(file)).toEqual(gateways);
  });

  it("names the file and the key of every problem", () => {
    const bad = "gateways:\n  - { id: 'gw 1', site: mall-a, secretHash: nope }\n";
    expect(() => parseCredentials(bad, "gw.yaml")).toThrow(ConfigError);
    expect(() => parseCredentials(bad, "gw.yaml")).toThrow(/gw\.yaml: gateways\[0\]\.id: gateway id must be/);
    expect(() => parseCredentials(bad, "gw.yaml")).toThrow(/gateways\[0\]\.secretHash: expected scrypt/);
    expect(() => parseCredentials("gateways: [}", "gw.yaml")).toThrow(/gw\.yaml: not valid YAML/);
    expect(() => loadCredentials(dir.file("missing.yaml"))).toThrow(/missing\.yaml: cannot read/);
  });

  it("refuses a gateway listed twice", async () => {
    const hash = await hashSecret("s", CHEAP);
    const text = `gateways:\n  - { id: gw-1, site: a, secretHash: "${hash}" }\n  - { id: gw-1, site: b, secretHash: "${hash}" }\n`;
    expect(() => parseCredentials(text, "gw.yaml")).toThrow(
      /gateways\[1\]\.id: gateway "gw-1" is listed twice/,
    );
  });

  it("reads an empty file as no gateways", () => {
    expect(parseCredentials("", "gw.yaml")).toEqual([]);
  });
});

describe("addGateway", () => {
  it("creates the file, then replaces a gateway's secret and keeps the others", async () => {
    const file = dir.file("gateways.yaml");
    const first = await addGateway({ file, id: "gw-1", site: "mall-a", scrypt: CHEAP });
    const other = await addGateway({ file, id: "gw-2", site: "mall-a", scrypt: CHEAP });
    const again = await addGateway({ file, id: "gw-1", site: "mall-b", scrypt: CHEAP });
    expect([first.created, other.created, again.created]).toEqual([true, true, false]);
    const text = readFileSync(file, "utf8");
    for (const { secret } of [first, other, again]) expect(text).not.toContain(secret);
    const [gw1, gw2] = loadCredentials(file);
    expect(gw1).toMatchObject({ id: "gw-1", site: "mall-b" });
    expect(await verifySecret(again.secret, gw1?.secretHash ?? "")).toBe(true);
    expect(await verifySecret(first.secret, gw1?.secretHash ?? "")).toBe(false);
    expect(await verifySecret(other.secret, gw2?.secretHash ?? "")).toBe(true);
  });

  it("refuses an id that cannot be a topic level", async () => {
    const file = dir.file("gateways.yaml");
    await expect(addGateway({ file, id: "gw/1", site: "mall-a" })).rejects.toThrow(/--id "gw\/1"/);
    await expect(addGateway({ file, id: "gw-1", site: "#" })).rejects.toThrow(/--site "#"/);
  });
});
