import { randomUUID } from "node:crypto";
import { nowMicros } from "../harness/latency.js";
import { connectClient, endClient, publishWindowed, subscribe } from "./mqtt-clients.js";

export const MOSQUITTO_URL = "mqtt://127.0.0.1:1883";

/** How long the subscriber may stay silent before the missing messages count as lost. */
const IDLE_MICROS = 3_000_000;

export interface PassThrough {
  /** Messages per second from the first publish to the last message at the subscriber. */
  messagesPerSecond: number;
  received: number;
  lost: number;
}

/**
 * The broker limit: a QoS 1 publisher with `window` in flight and a plain QoS 1 subscriber on a
 * topic of its own, through the machine's Mosquitto.
 */
export async function mosquittoPassThrough(
  payloads: readonly Buffer[],
  window: number,
  url = MOSQUITTO_URL,
): Promise<PassThrough> {
  const topic = `lotwatch-bench/${randomUUID()}/events`;
  const subscriber = await connectClient(url);
  try {
    const publisher = await connectClient(url);
    try {
      await subscribe(subscriber, topic);
      let received = 0;
      let lastAt = 0;
      subscriber.on("message", () => {
        received++;
        lastAt = nowMicros();
      });
      const started = nowMicros();
      await publishWindowed(publisher, topic, payloads.length, (i) => payloads[i] as Buffer, window);
      // Mosquitto acks on receipt: wait for the subscriber, but not for messages it dropped.
      while (received < payloads.length && nowMicros() - Math.max(lastAt, started) < IDLE_MICROS) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const seconds = (lastAt - started) / 1e6;
      return {
        messagesPerSecond: seconds > 0 ? received / seconds : 0,
        received,
        lost: payloads.length - received,
      };
    } finally {
      await endClient(publisher);
    }
  } finally {
    await endClient(subscriber);
  }
}
