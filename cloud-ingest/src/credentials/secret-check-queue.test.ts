import { closeSync, fdatasync, openSync, writeSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createTempDir } from "../test-support/fixtures.js";
import { createSecretCheckQueue } from "./secret-check-queue.js";
import { hashSecret } from "./secret-hash.js";

describe("the secret check queue", () => {
  it("runs at most two checks at once and answers each one", async () => {
    let running = 0;
    let most = 0;
    const queue = createSecretCheckQueue(2, async (secret) => {
      running++;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running--;
      return secret === "right";
    });
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) => queue.check(i % 3 === 0 ? "right" : "wrong", "hash", () => true)),
    );
    expect(most).toBe(2);
    expect(answers).toEqual(Array.from({ length: 12 }, (_, i) => i % 3 === 0));
  });

  it("skips the check of a client that left while it waited", async () => {
    let checked = 0;
    const queue = createSecretCheckQueue(1, async () => {
      checked++;
      return true;
    });
    let connected = true;
    const first = queue.check("s", "hash", () => true);
    const second = queue.check("s", "hash", () => connected);
    connected = false;
    expect(await first).toBe(true);
    expect(await second).toBe("gone");
    expect(checked).toBe(1);
  });

  it("leaves thread-pool room for a WAL flush while a burst of real scrypt checks waits", async () => {
    const hash = await hashSecret("the-right-secret");
    const queue = createSecretCheckQueue();
    let answered = 0;
    const burst = Array.from({ length: 24 }, (_, i) =>
      queue
        .check(`wrong-${i}`, hash, () => true)
        .then((matches) => {
          answered++;
          return matches;
        }),
    );
    const dir = createTempDir();
    // The burst reaches the pool first, as a storm of logins does before the next commit.
    await new Promise((resolve) => setImmediate(resolve));
    try {
      const fd = openSync(dir.file("wal"), "w");
      writeSync(fd, "frame");
      await new Promise<void>((resolve, reject) =>
        fdatasync(fd, (error) => (error ? reject(error) : resolve())),
      );
      closeSync(fd);
      // Unqueued, the 24 checks would take all 4 pool threads and the flush would wait for ~20 of them.
      expect(answered).toBeLessThan(8);
      expect(await Promise.all(burst)).toEqual(Array(24).fill(false));
    } finally {
      dir.remove();
    }
  }, 30_000);
});
