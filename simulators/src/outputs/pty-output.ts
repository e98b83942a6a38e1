import { LotwatchError } from "@lotwatch/protocol/errors.js";
import { openDeviceWriter } from "../pty/device-writer.js";
import { type Output, toLines } from "./output.js";

/** Writes jsonl lines to a serial device, normally the `-sim` end of `lotwatch-sim pty`. */
export async function createPtyOutput(devicePath: string): Promise<Output> {
  const writer = await openDeviceWriter(devicePath);
  return {
    describe: { output: "pty", device: devicePath },
    async send(batch, signal) {
      const chunk = toLines(batch);
      const written = await writer.write(chunk, { signal });
      if (written < chunk.length && !signal.aborted) {
        throw new LotwatchError(
          "DEVICE_WRITE_FAILED",
          `only ${written} of ${chunk.length} bytes reached ${devicePath}`,
        );
      }
    },
    close: () => writer.close(),
  };
}
