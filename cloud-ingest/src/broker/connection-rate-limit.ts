/**
 * New connections per remote address, as a token bucket: `perSecond` on average, `burst` at once.
 * A gateway reconnects a few times a minute at most; hundreds a second from one address is a
 * flood (or a client stuck in a reconnect loop) and would spend the broker's CPU on handshakes
 * and scrypt checks. The table of addresses is bounded: past `maxAddresses` the oldest is forgotten.
 */
export interface ConnectionRateLimitOptions {
  perSecond: number;
  /** Default: twice perSecond, at least 10. */
  burst?: number;
  /** Default 10,000 addresses. */
  maxAddresses?: number;
  /** ms; injectable for tests. */
  now?: () => number;
}

export interface ConnectionRateLimiter {
  /** Takes a token for the address; false when it has none left. */
  allow(address: string): boolean;
  /** Addresses remembered now. */
  readonly size: number;
}

export const DEFAULT_CONNECTS_PER_SECOND = 50;

export function createConnectionRateLimiter(options: ConnectionRateLimitOptions): ConnectionRateLimiter {
  const { perSecond } = options;
  const burst = options.burst ?? Math.max(2 * perSecond, 10);
  const maxAddresses = options.maxAddresses ?? 10_000;
  const now = options.now ?? (() => performance.now());
  // A Map keeps insertion order: re-inserting on use makes the first key the least recently seen.
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    allow(address) {
      const at = now();
      const bucket = buckets.get(address) ?? { tokens: burst, at };
      bucket.tokens = Math.min(burst, bucket.tokens + ((at - bucket.at) * perSecond) / 1000);
      bucket.at = at;
      buckets.delete(address);
      buckets.set(address, bucket);
      if (buckets.size > maxAddresses) {
        const oldest = buckets.keys().next().value;
        if (oldest !== undefined) buckets.delete(oldest);
      }
      if (bucket.tokens < 1) return false;
      bucket.tokens -= 1;
      return true;
    },
    get size() {
      return buckets.size;
    },
  };
}
