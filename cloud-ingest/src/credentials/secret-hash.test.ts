import { describe, expect, it } from "vitest";
import { hashSecret, newSecret, secretHashProblem, verifySecret } from "./secret-hash.js";

describe("secret hashes", () => {
  it("verifies the secret it hashed and nothing else", async () => {
    const secret = newSecret();
    const hash = await hashSecret(secret);
    expect(hash).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(hash).not.toContain(secret);
    expect(await verifySecret(secret, hash)).toBe(true);
    expect(await verifySecret(`${secret}x`, hash)).toBe(false);
    expect(await verifySecret("", hash)).toBe(false);
  });

  it("salts every hash, so equal secrets hash differently", async () => {
    const [a, b] = await Promise.all([hashSecret("same"), hashSecret("same")]);
    expect(a).not.toBe(b);
    expect(await verifySecret("same", b as string)).toBe(true);
  });

  it("makes 32-character url-safe secrets that differ each time", () => {
    const secrets = new Set(Array.from({ length: 50 }, newSecret));
    expect(secrets.size).toBe(50);
    for (const secret of secrets) expect(secret).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });

  it("never matches a malformed hash and says what is wrong with it", async () => {
    expect(await verifySecret("x", "plain-text-password")).toBe(false);
    expect(secretHashProblem("plain")).toMatch(/expected scrypt\$N\$r\$p\$salt\$hash/);
    expect(secretHashProblem("scrypt$1000$8$1$c2FsdA==$aGFzaGhhc2hoYXNoaGFzaA==")).toMatch(/power of two/);
    expect(secretHashProblem("scrypt$1048576$64$1$c2FsdA==$aGFzaGhhc2hoYXNoaGFzaA==")).toMatch(/256 MiB/);
    expect(secretHashProblem("scrypt$16384$8$1$c2FsdA==$aGFzaA==")).toMatch(/shorter than 16 bytes/);
    expect(secretHashProblem(await hashSecret("ok"))).toBeNull();
  });
});
