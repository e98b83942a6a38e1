import { SerialPort } from "serialport";
import type { Input, InputFactory } from "../input.js";
import { lineFormatOf } from "../line-protocol/line-format-config.js";
import {
  createReopeningLineInput,
  type OpenSource,
  type SourceHandlers,
} from "../line-protocol/reopening-line-input.js";
import type { SerialFraming } from "../serial-port-options.js";
import type { SerialLineConfig } from "./serial-line-config.js";

/** Newline-framed readings (jsonl or delimited) from a serial port, reopened when the device vanishes. */
export const createSerialLineInput: InputFactory<SerialLineConfig> = (config, context): Input =>
  createReopeningLineInput(
    {
      type: config.type,
      name: config.name,
      source: config.path,
      format: lineFormatOf(config),
      maxLineLength: config.maxLineLength,
      reopenMinMs: config.reopenMinMs,
      reopenMaxMs: config.reopenMaxMs,
      open: (handlers) =>
        openSerialPort(
          config.path,
          {
            baudRate: config.baudRate,
            parity: config.parity,
            dataBits: config.dataBits,
            stopBits: config.stopBits,
          },
          handlers,
        ),
    },
    context,
  );

async function openSerialPort(
  path: string,
  framing: SerialFraming,
  handlers: SourceHandlers,
): Promise<OpenSource> {
  const port = new SerialPort({ path, ...framing, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
  let closing = false;
  port.on("data", (chunk: Buffer) => handlers.onData(chunk));
  // A read error (EIO when a USB adapter is pulled) is followed by "close"; report it there.
  let lastError: Error | undefined;
  port.on("error", (error: Error) => {
    lastError = error;
    if (port.isOpen) port.close(() => undefined);
  });
  port.on("close", (error?: Error) => {
    if (!closing) handlers.onClose(error ?? lastError);
  });
  return {
    close: () =>
      new Promise<void>((resolve) => {
        closing = true;
        if (!port.isOpen) return resolve();
        port.close(() => resolve());
      }),
  };
}
