import { MAX_EVENTS_PER_ENVELOPE } from "@lotwatch/protocol/envelope.js";
import { GatewayIdSchema, SiteIdSchema } from "@lotwatch/protocol/events.js";
import { z } from "zod";
import { CameraHttpConfigSchema } from "../inputs/camera-http/camera-http-config.js";
import { GpioConfigSchema } from "../inputs/gpio/gpio-config.js";
import { ModbusRtuConfigSchema } from "../inputs/modbus-rtu/modbus-rtu-config.js";
import { SerialLineConfigSchema } from "../inputs/serial-line/serial-line-config.js";
import { TcpSerialConfigSchema } from "../inputs/tcp-serial/tcp-serial-config.js";
import {
  booleanFlag,
  byteSizeAtLeast,
  byteSizeOrZero,
  duration,
  intInRange,
  nonEmptyString,
  positiveInt,
} from "./fields.js";

const BROKER_PROTOCOLS = ["mqtt:", "mqtts:", "tcp:", "ssl:", "tls:", "ws:", "wss:"];
const TLS_PROTOCOLS = ["mqtts:", "ssl:", "tls:", "wss:"];

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
  /** Check the broker's certificate against `ca` (or the system's CAs); only a test rig turns this off. */
  rejectUnauthorized: booleanFlag.default(true),
  keepaliveSeconds: intInRange(0, 65_535).default(30),
});

export const BufferSectionSchema = z.strictObject({
  path: nonEmptyString("a file path"),
  synchronous: z.enum(["full", "normal"], { error: "expected full or normal" }).default("full"),
  /** Cap on the buffer file; past it the oldest readings are dropped and reported by gap events. */
  maxBytes: byteSizeAtLeast(64 * 1024, "64KB").optional(),
  /** Cap on how long a reading may wait for the broker, by accept time. */
  maxAge: duration.optional(),
  /** Disk space held in `<path>-reserve`, released on a full disk so SQLite can make room; 0 = none. */
  reserve: byteSizeOrZero.default(8 * 1024 * 1024),
});

export const ClockSectionSchema = z.strictObject({
  syncCheck: z.enum(["auto", "always", "never"], { error: "expected auto, always or never" }).default("auto"),
  /** A file whose existence means the clock is synchronized (for chrony or ntpd). */
  syncFile: nonEmptyString("a file path").optional(),
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
  [
    SerialLineConfigSchema,
    TcpSerialConfigSchema,
    CameraHttpConfigSchema,
    ModbusRtuConfigSchema,
    GpioConfigSchema,
  ],
  {
    error: "type must be one of serial, tcp-serial, camera-http, modbus-rtu, gpio",
  },
);

export const AgentConfigSchema = z
  .strictObject({
    gateway: GatewaySectionSchema,
    broker: BrokerSectionSchema,
    buffer: BufferSectionSchema,
    http: HttpSectionSchema.default({ port: 9100, host: "127.0.0.1" }),
    clock: ClockSectionSchema.default({ syncCheck: "auto" }),
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
    checkTls(config.broker, ctx);
    if (config.forward.reconnectMinMs > config.forward.reconnectMaxMs) {
      ctx.addIssue({
        code: "custom",
        path: ["forward", "reconnectMinMs"],
        message: "must not exceed reconnectMaxMs",
      });
    }
  });

function checkTls(broker: z.output<typeof BrokerSectionSchema>, ctx: z.RefinementCtx): void {
  const tls = TLS_PROTOCOLS.some((protocol) => broker.url.toLowerCase().startsWith(`${protocol}//`));
  for (const key of ["ca", "cert", "key"] as const) {
    if (broker[key] !== undefined && !tls) {
      ctx.addIssue({
        code: "custom",
        path: ["broker", key],
        message: `is only used with a TLS URL (${TLS_PROTOCOLS.map((p) => `${p}//`).join(", ")})`,
      });
    }
  }
  if ((broker.cert === undefined) !== (broker.key === undefined)) {
    const missing = broker.cert === undefined ? "cert" : "key";
    ctx.addIssue({
      code: "custom",
      path: ["broker", missing],
      message: `missing: a client certificate needs both broker.cert and broker.key`,
    });
  }
}

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
export type ClockConfig = AgentConfig["clock"];
