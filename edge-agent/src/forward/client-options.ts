import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { createSecureContext } from "node:tls";
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

/**
 * Reads the PEM files named in the config once, at start, and has Node parse them, so a wrong path,
 * a file that is not PEM, or a key that does not match its certificate fails fast, naming the key.
 */
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
  checkTlsFiles(broker, files);
  return files;
}

function checkTlsFiles(broker: BrokerConfig, files: TlsFiles): void {
  if (files.ca !== undefined) {
    try {
      // createSecureContext ignores a CA file without certificates; X509Certificate does not.
      new X509Certificate(files.ca);
    } catch (error) {
      throw tlsError("ca", broker.ca, "is not a PEM CA certificate", error);
    }
  }
  if (files.cert === undefined || files.key === undefined) return;
  try {
    createSecureContext({ cert: files.cert });
  } catch (error) {
    throw tlsError("cert", broker.cert, "is not a PEM certificate", error);
  }
  try {
    createSecureContext({ cert: files.cert, key: files.key });
  } catch (error) {
    throw tlsError("key", broker.key, `is not a PEM private key matching ${broker.cert}`, error);
  }
}

function tlsError(key: string, path: string | undefined, problem: string, cause: unknown): ConfigError {
  return new ConfigError(
    "CONFIG_INVALID",
    `broker.${key}: ${path} ${problem} (${(cause as Error).message})`,
    { cause },
  );
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
    // Off, mqtt-packet pre-builds 65,536 two-byte message-id buffers on the first write: ~7 MB of
    // heap that a gateway keeps for its whole life, to save allocating 2 bytes per packet.
    writeCache: false,
    will: { topic: input.will.topic, payload: Buffer.from(input.will.payload), qos: 1, retain: true },
    rejectUnauthorized: broker.rejectUnauthorized,
    ...input.tls,
  };
}
