import { z } from "zod";
import { intInRange, nonEmptyString } from "../../config/fields.js";
import { checkLineInput, lineInputKeys } from "../line-protocol/line-format-config.js";

/** `{ type: tcp-serial, host, port, format, … }`: the serial line protocol over a raw TCP client. */
export const TcpSerialConfigSchema = z
  .strictObject({
    type: z.literal("tcp-serial"),
    ...lineInputKeys,
    host: nonEmptyString("a host name or address"),
    port: intInRange(1, 65_535),
  })
  .superRefine(checkLineInput);

export type TcpSerialConfig = z.infer<typeof TcpSerialConfigSchema> & { name: string };
