import { readFileSync } from "node:fs";
import { ConfigError } from "@lotwatch/protocol/errors.js";
import type { IClientOptions } from "mqtt";
import type { BrokerConfig } from "../config/schema.js";

export type ProtocolVersion = 4 | 5;

export interface ClientOptionsInput {
  broker: BrokerConfig;
  gatewayId: string;
  protocolVersion: ProtocolVersion;
  will: { topic: string; payload: string };
  tls: TlsFiles;
}

export interface TlsFiles {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

/** Reads the PEM files named in the config once, at start, so a typo fails fast with its key. */
export function readTlsFiles(broker: BrokerConfig): TlsFiles {
  const files: TlsFiles = {};
  for (const key of ["ca", "cert", "key"] as const) {
    const path = broker[key];
    if (path === undefined) continue;
    try {
      files[key] = readFileSync(path);
    } catch (error) {
      throw new ConfigError(
        "CONFIG_INVALID",
        `broker.${key}: cannot read ${path}: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
  }
  return files;
}

/**
 * mqtt.js options for one connection attempt. Its own reconnect is off (reconnectPeriod 0): the
 * forwarder reconnects with backoff, with a fresh client each time, and resends from the buffer.
 */
export function buildClientOptions(input: ClientOptionsInput): IClientOptions {
  const { broker } = input;
  return {
    protocolVersion: input.protocolVersion,
    clientId: broker.clientId ?? input.gatewayId,
    username: broker.username,
    password: broker.password,
    keepalive: broker.keepaliveSeconds,
    clean: true,
    reconnectPeriod: 0,
    connectTimeout: 10_000,
    resubscribe: false,
    will: { topic: input.will.topic, payload: Buffer.from(input.will.payload), qos: 1, retain: true },
    ...input.tls,
  };
}
