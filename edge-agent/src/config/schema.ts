import { MAX_EVENTS_PER_ENVELOPE } from "@lotwatch/protocol/envelope.js";
import { GatewayIdSchema, SiteIdSchema } from "@lotwatch/protocol/events.js";
import { z } from "zod";
import { SerialLineConfigSchema } from "../inputs/serial-line/serial-line-config.js";
import { TcpSerialConfigSchema } from "../inputs/tcp-serial/tcp-serial-config.js";
import { byteSize, duration, intInRange, nonEmptyString, positiveInt } from "./fields.js";

const BROKER_PROTOCOLS = ["mqtt:", "mqtts:", "tcp:", "ssl:", "tls:", "ws:", "wss:"];

const brokerUrl = z.string({ error: "expected a URL such as mqtt://127.0.0.1:1883" }).refine(
  (value) => {
    try {
      return BROKER_PROTOCOLS.includes(new URL(value).protocol);
    } catch {
      return false;
    }
  },
  { error: `expected a URL with one of ${BROKER_PROTOCOLS.map((p) => `${p}//`).join(", ")}` },
);

export const GatewaySectionSchema = z.strictObject({ id: GatewayIdSchema, site: SiteIdSchema });

export const BrokerSectionSchema = z.strictObject({
  url: brokerUrl,
  username: z.string({ error: "expected a string" }).optional(),
  password: z.string({ error: "expected a string" }).optional(),
  /** Defaults to the gateway id. */
  clientId: nonEmptyString().optional(),
  /** PEM files for mqtts:// (a private CA, and a client certificate and key). */
  ca: nonEmptyString("a file path").optional(),
  cert: nonEmptyString("a file path").optional(),
  key: nonEmptyString("a file path").optional(),
  keepaliveSeconds: intInRange(0, 65_535).default(30),
});

export const BufferSectionSchema = z.strictObject({
  path: nonEmptyString("a file path"),
  synchronous: z.enum(["full", "normal"], { error: "expected full or normal" }).default("full"),
  /** Parsed and reported, not enforced yet: see README "Buffer cap". */
  maxBytes: byteSize.optional(),
  maxAge: duration.optional(),
});

export const HttpSectionSchema = z.strictObject({
  port: intInRange(0, 65_535).default(9100),
  host: nonEmptyString("a host address").default("127.0.0.1"),
});

export const ForwardSectionSchema = z.strictObject({
  batchMaxEvents: positiveInt(MAX_EVENTS_PER_ENVELOPE).default(500),
  batchMaxBytes: intInRange(1024, 256 * 1024 * 1024).default(262_144),
  maxInFlight: positiveInt(1000).default(8),
  statusIntervalMs: intInRange(100, 3_600_000).default(10_000),
  reconnectMinMs: intInRange(10, 600_000).default(500),
  reconnectMaxMs: intInRange(10, 3_600_000).default(30_000),
});

export const InputConfigSchema = z.discriminatedUnion(
  "type",
  [SerialLineConfigSchema, TcpSerialConfigSchema],
  {
    error: "type must be one of serial, tcp-serial",
  },
);

export const AgentConfigSchema = z
  .strictObject({
    gateway: GatewaySectionSchema,
    broker: BrokerSectionSchema,
    buffer: BufferSectionSchema,
    http: HttpSectionSchema.default({ port: 9100, host: "127.0.0.1" }),
    forward: ForwardSectionSchema.default(ForwardSectionSchema.parse({})),
    inputs: z.array(InputConfigSchema, { error: "expected a list of inputs" }).default([]),
  })
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    config.inputs.forEach((input, index) => {
      const name = input.name ?? defaultInputName(input.type, index);
      if (seen.has(name))
        ctx.addIssue({
          code: "custom",
          path: ["inputs", index, "name"],
          message: `duplicate input name "${name}"`,
        });
      seen.add(name);
    });
    if (config.broker.password !== undefined && config.broker.username === undefined) {
      // MQTT 3.1.1 [MQTT-3.1.2-22]: no password flag without the user name flag.
      ctx.addIssue({
        code: "custom",
        path: ["broker", "password"],
        message: "needs broker.username as well",
      });
    }
    if (config.forward.reconnectMinMs > config.forward.reconnectMaxMs) {
      ctx.addIssue({
        code: "custom",
        path: ["forward", "reconnectMinMs"],
        message: "must not exceed reconnectMaxMs",
      });
    }
  });

/** `serial-0`, `tcp-serial-1`: the name of an input that has none in the file. */
export function defaultInputName(type: string, index: number): string {
  return `${type}-${index}`;
}

type ParsedConfig = z.output<typeof AgentConfigSchema>;
type ParsedInput = ParsedConfig["inputs"][number];

/** A validated config: defaults applied, every input named. */
export type AgentConfig = Omit<ParsedConfig, "inputs"> & { inputs: Array<ParsedInput & { name: string }> };
export type InputConfig = AgentConfig["inputs"][number];
export type BrokerConfig = AgentConfig["broker"];
export type ForwardConfig = AgentConfig["forward"];
export type BufferConfig = AgentConfig["buffer"];
