import { startExternalConsumer } from "../consumer/external-consumer.js";
import { createGatewayDirectory, loadCredentials } from "../credentials/credentials-file.js";
import { DEFAULT_MAX_PAYLOAD_BYTES, type MessageHandler } from "../ingest/handle-message.js";
import type { Logger } from "../logging/create-logger.js";
import { hostPort, listenPort } from "../run/listen.js";
import { createEmbeddedBroker, type EmbeddedBroker, maxPacketBytesFor } from "./embedded-broker.js";
import type { RefusalReason } from "./refusals.js";

export interface ExternalBrokerSettings {
  url: string;
  username?: string | undefined;
  password?: string | undefined;
  clientId: string;
  shareGroup?: string | undefined;
}

export interface TransportSettings {
  host: string;
  /** Undefined = `defaultPort`, which may fall back to a free one; 0 = any free port. */
  mqttPort?: number | undefined;
  defaultPort: number;
  /** Gateway credentials file: turns on authentication in the embedded broker. */
  gatewaysPath?: string | undefined;
  /** Default: maxPacketBytesFor(maxPayloadBytes). */
  maxPacketBytes?: number | undefined;
  maxPayloadBytes?: number | undefined;
  /** Flood limits of the embedded broker (embedded-broker.ts); defaults there. */
  connectsPerSecond?: number | undefined;
  gatewayBytesPerSecond?: number | undefined;
  /** Consume from this broker instead of embedding one. */
  broker?: ExternalBrokerSettings | undefined;
}

export interface TransportOptions {
  handler: MessageHandler;
  onRefusal?: (reason: RefusalReason) => void;
  /** A logger for a component name. */
  log: (component: string) => Logger;
}

export interface GatewayTransport {
  /** Where gateways publish: the embedded broker's URL, or the external broker's (no credentials). */
  mqttUrl: string;
  /** Stops taking messages and resolves once every running commit has finished. */
  close(): Promise<void>;
}

/** How gateway messages reach the handler: the embedded broker, or a consumer of an external one. */
export async function startGatewayTransport(
  settings: TransportSettings,
  options: TransportOptions,
): Promise<GatewayTransport> {
  const { handler, log } = options;
  if (settings.broker !== undefined) {
    const consumer = await startExternalConsumer({ ...settings.broker, handler, logger: log("consumer") });
    return { mqttUrl: consumer.url, close: () => consumer.close() };
  }
  const gateways =
    settings.gatewaysPath === undefined
      ? undefined
      : createGatewayDirectory(loadCredentials(settings.gatewaysPath));
  const logger = log("broker");
  const broker: EmbeddedBroker = await createEmbeddedBroker({
    handler,
    gateways,
    maxPacketBytes:
      settings.maxPacketBytes ?? maxPacketBytesFor(settings.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES),
    onRefusal: options.onRefusal,
    logger,
    ...(settings.connectsPerSecond === undefined ? {} : { connectsPerSecond: settings.connectsPerSecond }),
    ...(settings.gatewayBytesPerSecond === undefined
      ? {}
      : { gatewayBytesPerSecond: settings.gatewayBytesPerSecond }),
  });
  try {
    const port = await listenPort(broker.server, {
      host: settings.host,
      port: settings.mqttPort,
      defaultPort: settings.defaultPort,
      label: "MQTT",
      option: "--mqtt-port",
      listener: "the embedded broker",
      logger,
    });
    logger.info(
      { gateways: gateways?.size ?? null, credentials: settings.gatewaysPath ?? null },
      gateways === undefined
        ? "embedded broker: no credentials file, any client may connect"
        : `embedded broker: ${gateways.size} gateway(s) may connect with their secrets`,
    );
    return { mqttUrl: `mqtt://${hostPort(settings.host, port)}`, close: () => broker.close() };
  } catch (error) {
    await broker.close();
    throw error;
  }
}
