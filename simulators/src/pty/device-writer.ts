import { constants } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { LotwatchError } from "@lotwatch/protocol/errors.js";

export interface DeviceWriteOptions {
  /** Stops waiting for room on the device. Bytes already written are never taken back. */
  signal?: AbortSignal;
  /**
   * After an abort, how long to keep trying to finish a chunk already partly written, so the
   * reader does not get half a line. Default 1000 ms.
   */
  graceMs?: number;
}

/** Writes to a serial device (a pty end) without ever blocking the event loop. */
export interface DeviceWriter {
  /** Resolves with how many bytes went out: all of them, unless aborted. */
  write(chunk: Buffer, options?: DeviceWriteOptions): Promise<number>;
  close(): Promise<void>;
}

const MIN_WAIT_MS = 1;
const MAX_WAIT_MS = 25;

/**
 * The device is opened non-blocking. A full pty would otherwise park a libuv thread in write(2)
 * until someone reads the other end, and neither an abort nor close() could get it back. A full
 * device answers EAGAIN instead, and the writer retries with a short, growing pause: that is the
 * backpressure.
 */
export async function openDeviceWriter(path: string): Promise<DeviceWriter> {
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_WRONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (error) {
    throw openError(path, error as NodeJS.ErrnoException);
  }

  return {
    async write(chunk, options = {}) {
      const { signal, graceMs = 1000 } = options;
      let offset = 0;
      let wait = MIN_WAIT_MS;
      let giveUpAt = Number.POSITIVE_INFINITY;
      while (offset < chunk.length) {
        if (signal?.aborted) {
          if (offset === 0) return 0;
          if (giveUpAt === Number.POSITIVE_INFINITY) giveUpAt = Date.now() + graceMs;
          if (Date.now() >= giveUpAt) return offset;
        }
        try {
          const { bytesWritten } = await handle.write(chunk, offset, chunk.length - offset);
          offset += bytesWritten;
          wait = MIN_WAIT_MS;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== "EAGAIN") throw writeError(path, error);
          await sleep(wait);
          wait = Math.min(wait * 2, MAX_WAIT_MS);
        }
      }
      return offset;
    },
    close: () => handle.close(),
  };
}

function openError(path: string, error: NodeJS.ErrnoException): LotwatchError {
  if (error.code === "ENOENT") {
    return new LotwatchError(
      "DEVICE_NOT_FOUND",
      `device ${path} does not exist; create a pair with \`lotwatch-sim pty --dir DIR --name NAME\` and pass DIR/NAME-sim`,
      { cause: error },
    );
  }
  if (error.code === "EACCES") {
    return new LotwatchError("DEVICE_NOT_WRITABLE", `no permission to write to ${path}`, { cause: error });
  }
  return new LotwatchError("DEVICE_OPEN_FAILED", `could not open ${path}: ${error.message}`, {
    cause: error,
  });
}

function writeError(path: string, error: unknown): LotwatchError {
  const message = error instanceof Error ? error.message : String(error);
  return new LotwatchError(
    "DEVICE_WRITE_FAILED",
    `writing to ${path} failed (did the pty pair go away?): ${message}`,
    { cause: error },
  );
}
