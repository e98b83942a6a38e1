import { connect } from "node:net";
import { connectAsync } from "mqtt";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSilentLogger } from "../logging/create-logger.js";
import { listen } from "../run/listen.js";
import { createEmbeddedBroker, type EmbeddedBroker } from "./embedded-broker.js";
import { createPacketSizeTracker } from "./packet-size-guard.js";
import type { RefusalReason } from "./refusals.js";

/** A fixed header: type byte, then the Remaining Length as a variable byte integer. */
function header(type: number, remaining: number): Buffer {
  const bytes = [type];
  let value = remaining;
  do {
    let byte = value % 128;
    value = Math.floor(value / 128);
    if (value > 0) byte |= 0x80;
    bytes.push(byte);
  } while (value > 0);
  return Buffer.from(bytes);
}

const packet = (remaining: number) => Buffer.concat([header(0x30, remaining), Buffer.alloc(remaining)]);

describe("packet size tracker", () => {
  it("passes packets up to the limit, in any chunking", () => {
    const stream = Buffer.concat([packet(10), packet(200), packet(16_380), packet(0)]);
    for (const size of [1, 2, 3, 7, 64, stream.length]) {
      const tracker = createPacketSizeTracker(16_384);
      const reports: (number | null)[] = [];
      for (let i = 0; i < stream.length; i += size) reports.push(tracker.push(stream.subarray(i, i + size)));
      expect(reports.filter((report) => report !== null)).toEqual([]);
    }
  });

  it("reports the first packet over the limit from its header alone, split anywhere", () => {
    const stream = Buffer.concat([packet(100), header(0x30, 2_000_000)]);
    for (const size of [1, 2, 5, stream.length]) {
      const tracker = createPacketSizeTracker(1_000_000);
      let reported: number | null = null;
      for (let i = 0; i < stream.length && reported === null; i += size) {
        reported = tracker.push(stream.subarray(i, i + size));
      }
      expect(reported).toBe(1 + 3 + 2_000_000);
    }
  });

  it("counts the fixed header in the size", () => {
    expect(createPacketSizeTracker(102).push(header(0x30, 100))).toBeNull();
    expect(createPacketSizeTracker(101).push(header(0x30, 100))).toBe(102);
  });

  it("treats a Remaining Length of more than four bytes as over any limit", () => {
    const tracker = createPacketSizeTracker(Number.MAX_SAFE_INTEGER);
    expect(tracker.push(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x7f]))).toBe(Number.POSITIVE_INFINITY);
  });
});

describe("packet size limit in the embedded broker", () => {
  let broker: EmbeddedBroker;
  let port: number;
  let refusals: RefusalReason[];
  let stored: number;

  beforeEach(async () => {
    refusals = [];
    stored = 0;
    broker = await createEmbeddedBroker({
      handler: {
        async handleMessage() {
          stored++;
          return { kind: "ignored", inserted: 0, duplicates: 0, unknownSource: 0, rejected: 0 };
        },
      },
      maxPacketBytes: 64 * 1024,
      onRefusal: (reason) => refusals.push(reason),
      logger: createSilentLogger(),
    });
    port = await listen(broker.server, "127.0.0.1", 0);
  });
  afterEach(() => broker.close());

  it("cuts a connection off at the header of a huge packet, without waiting for its body", async () => {
    const socket = connect(port, "127.0.0.1");
    await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
    const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
    socket.on("error", () => {});
    // Announces 100 MB, then trickles the body: the broker must not buffer it.
    socket.write(header(0x30, 100_000_000));
    let sent = 0;
    const trickle = setInterval(() => {
      if (!socket.destroyed) sent += socket.write(Buffer.alloc(4096)) ? 4096 : 0;
    }, 5);
    await Promise.race([
      closed,
      new Promise((_, reject) => setTimeout(() => reject(new Error("still connected after 5 s")), 5000)),
    ]).finally(() => clearInterval(trickle));
    expect(sent).toBeLessThan(10_000_000);
    expect(refusals).toEqual(["packet_too_large"]);
  });

  it("disconnects a client that publishes an oversized message, and keeps serving others", async () => {
    const big = await connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: "big", reconnectPeriod: 0 });
    const closed = new Promise<void>((resolve) => big.once("close", () => resolve()));
    big.publish("lotwatch/v1/mall-a/big/events", Buffer.alloc(100 * 1024), { qos: 1 });
    await closed;
    await big.endAsync(true);
    const small = await connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: "small", reconnectPeriod: 0 });
    await small.publishAsync("lotwatch/v1/mall-a/small/events", Buffer.alloc(60 * 1024), { qos: 1 });
    await small.endAsync();
    expect(refusals).toEqual(["packet_too_large"]);
    expect(stored).toBe(1);
  });
});
