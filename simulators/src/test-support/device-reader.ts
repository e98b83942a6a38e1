import { constants, openSync } from "node:fs";
import { ReadStream } from "node:tty";

/** Reads the device end of a pty pair line by line, as the agent would. */
export interface DeviceReader {
  /** Complete lines received so far, without their newlines. */
  lines(): string[];
  /** Resolves once `count` lines have arrived; rejects after `timeoutMs`. */
  waitForLines(count: number, timeoutMs?: number): Promise<string[]>;
  close(): void;
}

/** A tty stream polls the pty through libuv, so closing it never waits on a blocked read. */
export function openDeviceReader(path: string): DeviceReader {
  const stream = new ReadStream(
    openSync(path, constants.O_RDONLY | constants.O_NOCTTY | constants.O_NONBLOCK),
  );
  const received: string[] = [];
  let partial = "";
  let waiter: (() => void) | undefined;
  stream.setEncoding("utf8");
  stream.on("data", (chunk: string) => {
    const parts = (partial + chunk).split("\n");
    partial = parts.pop() ?? "";
    received.push(...parts);
    waiter?.();
  });

  return {
    lines: () => [...received],
    waitForLines(count, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (received.length < count) return;
          clearTimeout(timer);
          waiter = undefined;
          resolve([...received]);
        };
        const timer = setTimeout(() => {
          waiter = undefined;
          reject(new Error(`got ${received.length} of ${count} lines within ${timeoutMs} ms`));
        }, timeoutMs);
        waiter = check;
        check();
      });
    },
    close: () => stream.destroy(),
  };
}
