import { z } from "zod";
import { nonEmptyString, positiveInt } from "../../config/fields.js";
import { checkLineInput, lineInputKeys } from "../line-protocol/line-format-config.js";
import { serialFramingKeys } from "../serial-port-options.js";

/** `{ type: serial, path, baudRate, format, … }`: newline-framed readings from a serial port. */
export const SerialLineConfigSchema = z
  .strictObject({
    type: z.literal("serial"),
    ...lineInputKeys,
    path: nonEmptyString("a device path such as /dev/ttyUSB0"),
    baudRate: positiveInt(),
    ...serialFramingKeys("none"),
  })
  .superRefine(checkLineInput);

export type SerialLineConfig = z.infer<typeof SerialLineConfigSchema> & { name: string };
