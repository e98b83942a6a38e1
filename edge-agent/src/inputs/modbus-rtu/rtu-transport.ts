import { SerialPort } from "serialport";
import type { SerialFraming } from "../serial-port-options.js";
import { decodeReadAnswer, encodeReadRequest, type ReadRequest, type RtuAnswer } from "./rtu-frame.js";

export type TransactionResult = Exclude<RtuAnswer, { kind: "incomplete" }> | { kind: "timeout" };

export interface RtuTransport {
  /** One request, one answer: RS-485 is half duplex, so the poller never overlaps transactions. */
  read(request: ReadRequest, timeoutMs: number): Promise<TransactionResult>;
  close(): Promise<void>;
}

/** Bytes the transport holds for one answer at most; a longer stream of garbage is cut off. */
const MAX_ANSWER = 256;

/**
 * After a failed transaction the line is left quiet this long before the next request, so a late
 * answer to the failed one is dropped rather than taken for the next unit's (which would make it
 * fail too).
 */
const SETTLE_AFTER_FAILURE_MS = 30;

/**
 * The silent interval between frames: 3.5 character times, fixed at 1.75 ms above 19200 baud
 * (Modbus over serial line V1.02, 2.5.1.1). A character is 11 bits on the wire.
 */
function interFrameMs(baudRate: number): number {
  return baudRate > 19_200 ? 1.75 : (3.5 * 11 * 1000) / baudRate;
}

/**
 * Opens a serial port as a Modbus RTU master. Bytes that arrive outside a transaction (a late
 * answer to a timed-out request, line noise) are dropped before the next request goes out.
 * `onClose` fires once when the port goes away by itself (adapter unplugged).
 */
export async function openRtuTransport(
  path: string,
  framing: SerialFraming,
  onClose: (error?: Error) => void,
): Promise<RtuTransport> {
  const port = new SerialPort({ path, ...framing, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
  let received = Buffer.alloc(0);
  let wake: (() => void) | null = null;
  let closing = false;
  let lastError: Error | undefined;
  let quietUntil = 0;
  const gapMs = interFrameMs(framing.baudRate);
  port.on("data", (chunk: Buffer) => {
    if (wake === null) return;
    received = Buffer.concat([received, chunk]).subarray(0, MAX_ANSWER);
    wake();
  });
  port.on("error", (error: Error) => {
    lastError = error;
    if (port.isOpen) port.close(() => undefined);
  });
  port.on("close", (error?: Error) => {
    wake?.();
    if (!closing) onClose(error ?? lastError);
  });

  return {
    async read(request, timeoutMs) {
      const wait = quietUntil - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      received = Buffer.alloc(0);
      return new Promise((resolve) => {
        const finish = (result: TransactionResult) => {
          clearTimeout(timer);
          wake = null;
          quietUntil =
            Date.now() +
            (result.kind === "ok" || result.kind === "exception" ? gapMs : SETTLE_AFTER_FAILURE_MS);
          resolve(result);
        };
        const timer = setTimeout(() => finish({ kind: "timeout" }), timeoutMs);
        wake = () => {
          if (!port.isOpen) return finish({ kind: "timeout" });
          const answer = decodeReadAnswer(request, received);
          if (answer.kind !== "incomplete") finish(answer);
        };
        port.write(encodeReadRequest(request), (error) => {
          if (error) finish({ kind: "timeout" });
        });
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        closing = true;
        if (!port.isOpen) return resolve();
        port.close(() => resolve());
      }),
  };
}
