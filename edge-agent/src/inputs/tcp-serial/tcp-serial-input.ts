import { connect, type Socket } from "node:net";
import type { Input, InputFactory } from "../input.js";
import { lineFormatOf } from "../line-protocol/line-format-config.js";
import {
  createReopeningLineInput,
  type OpenSource,
  type SourceHandlers,
} from "../line-protocol/reopening-line-input.js";
import type { TcpSerialConfig } from "./tcp-serial-config.js";

/** The serial line protocol over a raw TCP client (a serial-to-Ethernet converter), reconnected when cut. */
export const createTcpSerialInput: InputFactory<TcpSerialConfig> = (config, context): Input =>
  createReopeningLineInput(
    {
      type: config.type,
      name: config.name,
      source: `${config.host}:${config.port}`,
      format: lineFormatOf(config),
      maxLineLength: config.maxLineLength,
      reopenMinMs: config.reopenMinMs,
      reopenMaxMs: config.reopenMaxMs,
      open: (handlers) => openConnection(config.host, config.port, handlers),
    },
    context,
  );

function openConnection(host: string, port: number, handlers: SourceHandlers): Promise<OpenSource> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect({ host, port });
    let closing = false;
    let lastError: Error | undefined;
    socket.once("connect", () => {
      socket.setKeepAlive(true, 10_000);
      socket.off("error", reject);
      socket.on("error", (error) => {
        lastError = error;
      });
      socket.on("data", (chunk: Buffer) => handlers.onData(chunk));
      socket.on("close", () => {
        if (!closing) handlers.onClose(lastError);
      });
      resolve({
        close: () =>
          new Promise<void>((done) => {
            closing = true;
            if (socket.destroyed) return done();
            socket.once("close", () => done());
            socket.destroy();
          }),
      });
    });
    socket.once("error", reject);
  });
}
