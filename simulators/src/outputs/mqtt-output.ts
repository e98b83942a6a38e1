import { randomUUID } from "node:crypto";
import { LotwatchError } from "@lotwatch/protocol/errors.js";
import { newEventId } from "@lotwatch/protocol/ids.js";
import { buildTopic } from "@lotwatch/protocol/topics.js";
import mqtt from "mqtt";
import type { Output } from "./output.js";

export interface MqttOutputOptions {
  brokerUrl: string;
  gateway: string;
  site: string;
  username?: string;
  password?: string;
  /** The first event's seq. A gateway's seqs are never reused: continue after an earlier run. */
  firstSeq: number;
}

/**
 * Plays a gateway without an agent: wire-protocol envelopes (v1) straight to the broker, QoS 1,
 * one envelope per batch, each send resolved at its PUBACK.
 */
export async function createMqttOutput(options: MqttOutputOptions): Promise<Output> {
  let client: mqtt.MqttClient;
  try {
    client = await mqtt.connectAsync(options.brokerUrl, {
      clientId: `${options.gateway}-sim`,
      ...(options.username === undefined ? {} : { username: options.username }),
      ...(options.password === undefined ? {} : { password: options.password }),
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
    });
  } catch (error) {
    throw new LotwatchError(
      "BROKER_UNREACHABLE",
      `could not connect to ${options.brokerUrl} as ${options.gateway}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  const bootId = randomUUID();
  const started = performance.now();
  const topic = buildTopic(options.site, options.gateway, "events");
  let seq = options.firstSeq;
  return {
    describe: { output: "mqtt", broker: options.brokerUrl, gateway: options.gateway, topic },
    async send(batch) {
      const events = batch.map((reading) => ({
        id: newEventId(),
        seq: seq++,
        site: options.site,
        ...reading,
      }));
      const envelope = {
        v: 1,
        gateway: options.gateway,
        sentAt: new Date().toISOString(),
        bootId,
        uptimeMs: Math.round(performance.now() - started),
        events,
      };
      await client.publishAsync(topic, JSON.stringify(envelope), { qos: 1 });
    },
    close: () => client.endAsync(),
  };
}
