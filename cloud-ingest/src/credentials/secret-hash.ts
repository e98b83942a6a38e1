import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from "node:crypto";

/** scrypt's recommended interactive-login cost (N = 2^14, r = 8, p = 1): about 16 MiB and tens of ms. */
export const DEFAULT_SCRYPT_PARAMS: ScryptParams = { N: 16384, r: 8, p: 1 };

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

const SALT_BYTES = 16;
const KEY_BYTES = 32;
/** Bounds what a hand-edited file can make the ingest spend per login (memory ≈ 128·N·r bytes). */
const MAX_MEMORY_BYTES = 256 * 1024 * 1024;
const BASE64 = "[A-Za-z0-9+/]+={0,2}";
const HASH_PATTERN = new RegExp(`^scrypt\\$(\\d+)\\$(\\d+)\\$(\\d+)\\$(${BASE64})\\$(${BASE64})$`);

interface ParsedHash extends ScryptParams {
  salt: Buffer;
  key: Buffer;
}

/** A new gateway secret: 24 random bytes, base64url (32 characters, safe in YAML and shells). */
export function newSecret(): string {
  return randomBytes(24).toString("base64url");
}

/** `scrypt$N$r$p$salt$hash` with a random salt; salt and hash in base64. */
export async function hashSecret(
  secret: string,
  params: ScryptParams = DEFAULT_SCRYPT_PARAMS,
): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(secret, salt, KEY_BYTES, params);
  return `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString("base64")}$${key.toString("base64")}`;
}

/** Why an encoded hash is unusable, or null when it is well formed. */
export function secretHashProblem(encoded: string): string | null {
  const parsed = parseHash(encoded);
  if (parsed === null) return "expected scrypt$N$r$p$salt$hash (salt and hash in base64)";
  const { N, r, p } = parsed;
  if (N < 2 || (N & (N - 1)) !== 0) return `scrypt N must be a power of two above 1, not ${N}`;
  if (r < 1 || p < 1) return "scrypt r and p must be at least 1";
  if (128 * N * r * p > MAX_MEMORY_BYTES) return "scrypt parameters need more than 256 MiB per login";
  if (parsed.key.length < 16) return "the hash is shorter than 16 bytes";
  return null;
}

/** True when `secret` hashes to `encoded`; a malformed hash never matches. Constant-time compare. */
export async function verifySecret(secret: string, encoded: string): Promise<boolean> {
  if (secretHashProblem(encoded) !== null) return false;
  const parsed = parseHash(encoded) as ParsedHash;
  const key = await derive(secret, parsed.salt, parsed.key.length, parsed);
  return timingSafeEqual(key, parsed.key);
}

function parseHash(encoded: string): ParsedHash | null {
  const match = HASH_PATTERN.exec(encoded);
  if (match === null) return null;
  const [, n = "", r = "", p = "", salt = "", key = ""] = match;
  return {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    salt: Buffer.from(salt, "base64"),
    key: Buffer.from(key, "base64"),
  };
}

function derive(secret: string, salt: Buffer, length: number, params: ScryptParams): Promise<Buffer> {
  const options: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: 2 * MAX_MEMORY_BYTES };
  return new Promise((resolve, reject) =>
    scrypt(secret, salt, length, options, (error, key) => (error ? reject(error) : resolve(key))),
  );
}
