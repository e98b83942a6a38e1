/**
 * Payload bytes per client, as a token bucket that may go into debt: a publish over the budget is
 * not refused but held back until the debt is paid. aedes handles one packet of a client at a time,
 * so holding one back stops reading that client's socket: TCP pushes back on the gateway, whose
 * readings wait in its own buffer, and the other gateways keep their share of the ingest.
 */
export interface PublishThrottleOptions {
  bytesPerSecond: number;
  /** Bytes a client may send at once before it is held back. Default: two seconds' worth. */
  burstBytes?: number;
  /** ms; injectable for tests. */
  now?: () => number;
}

export interface PublishThrottle {
  /** Charges `bytes` to the client; answers how long (ms) to hold the publish back, 0 for not at all. */
  delayFor(clientId: string, bytes: number): number;
  /** The client left: forget its bucket. */
  forget(clientId: string): void;
  readonly size: number;
}

/** Far above a gateway's steady rate (a few readings a second) and its fastest backlog drain (tens of thousands of ~200 B readings a second). */
export const DEFAULT_GATEWAY_BYTES_PER_SECOND = 16 * 1024 * 1024;

export function createPublishThrottle(options: PublishThrottleOptions): PublishThrottle {
  const { bytesPerSecond } = options;
  const burst = options.burstBytes ?? 2 * bytesPerSecond;
  const now = options.now ?? (() => performance.now());
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    delayFor(clientId, bytes) {
      const at = now();
      const bucket = buckets.get(clientId) ?? { tokens: burst, at };
      bucket.tokens = Math.min(burst, bucket.tokens + ((at - bucket.at) * bytesPerSecond) / 1000);
      bucket.at = at;
      bucket.tokens -= bytes;
      buckets.set(clientId, bucket);
      return bucket.tokens >= 0 ? 0 : Math.ceil((-bucket.tokens * 1000) / bytesPerSecond);
    },
    forget(clientId) {
      buckets.delete(clientId);
    },
    get size() {
      return buckets.size;
    },
  };
}
