import { describe, expect, it } from "vitest";
import { hashSecret } from "../credentials/secret-hash.js";
import { newApiKey } from "./api-key-format.js";
import { createApiKeyVerifier } from "./key-verifier.js";

const CHEAP = { N: 1024, r: 8, p: 1 };

/** A slow check that counts its calls and can be held open. */
function countingCheck() {
  const calls: string[] = [];
  let release: () => void = () => {};
  let gate: Promise<void> | null = null;
  return {
    calls,
    hold() {
      gate = new Promise((resolve) => {
        release = resolve;
      });
    },
    release: () => release(),
    async check(key: string, hash: string) {
      calls.push(key);
      if (gate) await gate;
      return hash === `hash-of:${key}`;
    },
  };
}

describe("API key verifier", () => {
  it("accepts a key made for a name and refuses a changed one, against real scrypt hashes", async () => {
    const key = newApiKey("dashboard");
    const verifier = createApiKeyVerifier({
      keys: [{ name: "dashboard", keyHash: await hashSecret(key, CHEAP) }],
    });
    expect(await verifier.verify(key)).toEqual({ ok: true, name: "dashboard" });
    expect(await verifier.verify(`${key}x`)).toEqual({ ok: false, reason: "unknown" });
    expect(await verifier.verify("no-dot-at-all")).toEqual({ ok: false, reason: "unknown" });
  });

  it("runs the slow check once per key, then answers from memory", async () => {
    const slow = countingCheck();
    const verifier = createApiKeyVerifier({
      keys: [{ name: "app", keyHash: "hash-of:app.right" }],
      checkHash: slow.check,
    });
    for (let i = 0; i < 5; i++) {
      expect((await verifier.verify("app.right")).ok).toBe(true);
      expect((await verifier.verify("app.wrong")).ok).toBe(false);
    }
    expect(slow.calls).toEqual(["app.right", "app.wrong"]);
  });

  it("spends nothing on a key whose name is not configured", async () => {
    const slow = countingCheck();
    const verifier = createApiKeyVerifier({ keys: [{ name: "app", keyHash: "h" }], checkHash: slow.check });
    expect(await verifier.verify("other.secret")).toEqual({ ok: false, reason: "unknown" });
    expect(slow.calls).toEqual([]);
  });

  it("shares one check among concurrent requests with the same new key", async () => {
    const slow = countingCheck();
    slow.hold();
    const verifier = createApiKeyVerifier({
      keys: [{ name: "app", keyHash: "hash-of:app.right" }],
      checkHash: slow.check,
    });
    const answers = Promise.all([1, 2, 3].map(() => verifier.verify("app.right")));
    slow.release();
    expect((await answers).every((answer) => answer.ok)).toBe(true);
    expect(slow.calls).toEqual(["app.right"]);
  });

  it("answers busy instead of queueing unbounded slow checks of new keys", async () => {
    const slow = countingCheck();
    slow.hold();
    const verifier = createApiKeyVerifier({
      keys: [{ name: "app", keyHash: "hash-of:app.right" }],
      checkHash: slow.check,
      maxConcurrentChecks: 1,
      maxWaitingChecks: 2,
    });
    const guesses = ["app.g1", "app.g2", "app.g3"].map((key) => verifier.verify(key));
    expect(await verifier.verify("app.g4")).toEqual({ ok: false, reason: "busy" });
    expect(slow.calls).toEqual(["app.g1"]);
    slow.release();
    expect((await Promise.all(guesses)).map((answer) => answer.ok)).toEqual([false, false, false]);
    expect(await verifier.verify("app.right")).toEqual({ ok: true, name: "app" });
  });

  it("forgets the oldest refusals past its bound", async () => {
    const slow = countingCheck();
    const verifier = createApiKeyVerifier({
      keys: [{ name: "app", keyHash: "h" }],
      checkHash: slow.check,
      maxRememberedRefusals: 2,
    });
    for (const key of ["app.a", "app.b", "app.c", "app.c", "app.a"]) await verifier.verify(key);
    expect(slow.calls).toEqual(["app.a", "app.b", "app.c", "app.a"]);
  });
});
