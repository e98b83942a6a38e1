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
    read(request, timeoutMs) {
      received = Buffer.alloc(0);
      return new Promise((resolve) => {
        const finish = (result: TransactionResult) => {
          clearTimeout(timer);
          wake = null;
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
