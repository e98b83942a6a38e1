import { createHash } from "node:crypto";
import { verifySecret } from "../credentials/secret-hash.js";
import { apiKeyName } from "./api-key-format.js";
import type { ApiKeyEntry } from "./api-keys-file.js";

export interface ApiKeyVerifierOptions {
  keys: readonly ApiKeyEntry[];
  /** scrypt checks running at once (each takes ~16 MiB and a thread-pool thread). Default 2. */
  maxConcurrentChecks?: number;
  /** Checks that may wait for a turn; past that a new key is answered `busy`. Default 64. */
  maxWaitingChecks?: number;
  /** How many recently refused keys are remembered, so retrying one costs no scrypt. Default 10 000. */
  maxRememberedRefusals?: number;
  /** Test seam: the slow check of a key against its stored hash. Default scrypt (`verifySecret`). */
  checkHash?: (key: string, hash: string) => Promise<boolean>;
}

export type KeyCheck =
  | { ok: true; name: string }
  /** `unknown`: wrong, revoked or malformed; `busy`: too many new keys being checked right now. */
  | { ok: false; reason: "unknown" | "busy" };

export interface ApiKeyVerifier {
  verify(key: string): Promise<KeyCheck>;
}

const UNKNOWN: KeyCheck = { ok: false, reason: "unknown" };
const BUSY: KeyCheck = { ok: false, reason: "busy" };

/** A fast fingerprint to remember keys by; the cache never holds a key in clear. */
const fingerprint = (key: string) => createHash("sha256").update(key).digest("base64url");

/**
 * Checks API keys against their scrypt hashes once, then remembers the outcome by a SHA-256
 * fingerprint: a verified key costs one hash per request, and scrypt (tens of ms) runs only for a
 * key not seen before, a bounded number at a time, so a flood of guesses cannot eat the CPU.
 */
export function createApiKeyVerifier(options: ApiKeyVerifierOptions): ApiKeyVerifier {
  const hashes = new Map(options.keys.map((entry) => [entry.name, entry.keyHash]));
  const maxRunning = options.maxConcurrentChecks ?? 2;
  const maxWaiting = options.maxWaitingChecks ?? 64;
  const maxRefused = options.maxRememberedRefusals ?? 10_000;
  const checkHash = options.checkHash ?? verifySecret;
  const verified = new Map<string, string>();
  // Insertion-ordered: the oldest refusal is forgotten first.
  const refused = new Set<string>();
  const checking = new Map<string, Promise<KeyCheck>>();
  const waiting: (() => void)[] = [];
  let running = 0;

  // A finished check hands its slot straight to the next waiting one, so at most maxRunning run.
  const turn = (): Promise<void> => {
    if (running < maxRunning) {
      running++;
      return Promise.resolve();
    }
    return new Promise((resolve) => waiting.push(resolve));
  };
  const done = () => {
    const next = waiting.shift();
    if (next === undefined) running--;
    else next();
  };
  const refuse = (print: string) => {
    refused.add(print);
    if (refused.size > maxRefused) refused.delete(refused.values().next().value as string);
  };

  const check = async (key: string, name: string, hash: string, print: string): Promise<KeyCheck> => {
    await turn();
    try {
      if (await checkHash(key, hash)) {
        verified.set(print, name);
        return { ok: true, name };
      }
      refuse(print);
      return UNKNOWN;
    } finally {
      done();
    }
  };

  return {
    verify(key) {
      const print = fingerprint(key);
      const name = verified.get(print);
      if (name !== undefined) return Promise.resolve({ ok: true, name });
      if (refused.has(print)) return Promise.resolve(UNKNOWN);
      const pending = checking.get(print);
      if (pending !== undefined) return pending;
      const keyName = apiKeyName(key);
      const hash = keyName === null ? undefined : hashes.get(keyName);
      if (keyName === null || hash === undefined) return Promise.resolve(UNKNOWN);
      if (running >= maxRunning && waiting.length >= maxWaiting) return Promise.resolve(BUSY);
      const result = check(key, keyName, hash, print).finally(() => checking.delete(print));
      checking.set(print, result);
      return result;
    },
  };
}
