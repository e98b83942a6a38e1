import { constants, openSync } from "node:fs";
import { ReadStream } from "node:tty";
import { openDeviceWriter } from "../pty/device-writer.js";

/** The agent's side of a bus: sends one frame on the device end and returns what came back in `waitMs`. */
export async function askRtu(devicePath: string, frame: Buffer, waitMs = 150): Promise<Buffer> {
  const stream = new ReadStream(
    openSync(devicePath, constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK),
  );
  const chunks: Buffer[] = [];
  stream.on("data", (chunk: Buffer) => chunks.push(chunk));
  const writer = await openDeviceWriter(devicePath);
  await writer.write(frame);
  await new Promise((resolve) => setTimeout(resolve, waitMs));
  await writer.close();
  stream.destroy();
  return Buffer.concat(chunks);
}
