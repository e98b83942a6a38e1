import pLimit from "p-limit";
import { verifySecret } from "./secret-hash.js";

/**
 * libuv's pool has 4 threads (UV_THREADPOOL_SIZE) and the store's WAL fdatasync runs there too, so
 * logins get half of it: a burst of wrong secrets (~50 ms of scrypt each) queued every thread, and
 * every gateway's PUBACK waited behind the queue for seconds.
 */
export const SECRET_CHECKS_AT_ONCE = 2;

export interface SecretCheckQueue {
  /**
   * Whether `secret` matches `encoded`, checked when a slot frees; "gone" without checking when
   * `stillWanted()` is false by then (the client gave up or was dropped while it waited).
   */
  check(secret: string, encoded: string, stillWanted: () => boolean): Promise<boolean | "gone">;
}

export function createSecretCheckQueue(
  concurrency = SECRET_CHECKS_AT_ONCE,
  verify: typeof verifySecret = verifySecret,
): SecretCheckQueue {
  const limit = pLimit(concurrency);
  return {
    check: (secret, encoded, stillWanted) =>
      limit(async (): Promise<boolean | "gone"> => (stillWanted() ? verify(secret, encoded) : "gone")),
  };
}
