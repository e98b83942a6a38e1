import { randomUUID } from "node:crypto";
import { LotwatchError } from "@lotwatch/protocol/errors.js";
import mqtt, { type MqttClient } from "mqtt";

/**
 * Connects a plain mqtt.js client (MQTT 3.1.1, which both Mosquitto and the ingest's aedes speak;
 * clean session); rejects after `timeoutMs`.
 */
export function connectClient(url: string, timeoutMs = 5000): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(url, {
      clientId: `bench-${randomUUID().slice(0, 8)}`,
      protocolVersion: 4,
      clean: true,
      reconnectPeriod: 0,
      connectTimeout: timeoutMs,
    });
    const timer = setTimeout(() => {
      client.end(true);
      reject(new LotwatchError("mqtt_unreachable", `no CONNACK from ${url} within ${timeoutMs} ms`));
    }, timeoutMs);
    client.once("connect", () => {
      clearTimeout(timer);
      resolve(client);
    });
    client.once("error", (error) => {
      clearTimeout(timer);
      client.end(true);
      reject(new LotwatchError("mqtt_unreachable", `cannot connect to ${url}: ${error.message}`));
    });
  });
}

export function subscribe(client: MqttClient, topic: string, qos: 0 | 1 = 1): Promise<void> {
  return new Promise((resolve, reject) =>
    client.subscribe(topic, { qos }, (error) => (error ? reject(error) : resolve())),
  );
}

export function endClient(client: MqttClient): Promise<void> {
  return new Promise((resolve) => client.end(false, {}, () => resolve()));
}

/**
 * Publishes `count` payloads at QoS 1 with at most `window` unacknowledged (as the agent's
 * forwarder does), each made by `payload(i)` when it is sent; resolves when the last PUBACK arrived.
 */
export function publishWindowed(
  client: MqttClient,
  topic: string,
  count: number,
  payload: (index: number) => Buffer,
  window: number,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let next = 0;
    let acked = 0;
    let failed = false;
    const send = () => {
      while (!failed && next < count && next - acked < window) {
        client.publish(topic, payload(next++), { qos: 1 }, (error) => {
          if (error) {
            failed = true;
            reject(error);
            return;
          }
          acked++;
          if (acked === count) resolve();
          else send();
        });
      }
    };
    if (count === 0) resolve();
    else send();
  });
}
