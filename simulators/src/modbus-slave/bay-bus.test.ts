import { describe, expect, it } from "vitest";
import { createBayBus } from "./bay-bus.js";
import { crcMatches, createRequestSplitter, withCrc } from "./rtu-frames.js";

const request = (unit: number, fn: number, address: number, count: number) =>
  withCrc(Buffer.from([unit, fn, address >> 8, address & 0xff, count >> 8, count & 0xff]));

describe("RTU frames", () => {
  it("computes the CRC of the specification's read-holding-registers example (01 03 00 00 00 01 → 84 0A)", () => {
    expect(request(1, 3, 0, 1).toString("hex")).toBe("010300000001840a");
    expect(crcMatches(Buffer.from("010300000001840a", "hex"))).toBe(true);
    expect(crcMatches(Buffer.from("010300000001840b", "hex"))).toBe(false);
  });

  it("splits requests out of noise, counting the skipped bytes", () => {
    const frames: string[] = [];
    let noise = 0;
    const splitter = createRequestSplitter(
      (frame) => frames.push(frame.toString("hex")),
      (bytes) => {
        noise += bytes;
      },
    );
    const good = request(2, 4, 1, 2);
    splitter.push(Buffer.concat([Buffer.from([0xff, 0x00, 0x13]), good.subarray(0, 3)]));
    splitter.push(Buffer.concat([good.subarray(3), request(1, 3, 0, 1)]));
    expect(frames).toEqual([good.toString("hex"), "010300000001840a"]);
    expect(noise).toBe(3);
  });
});

describe("createBayBus", () => {
  const bus = createBayBus({ units: [1, 2], slotsPerUnit: 3 });
  bus.set(1, 0, true);
  bus.set(1, 2, true);

  it.each([
    { name: "holding registers", fn: 3, answer: "010306000100000001" },
    { name: "input registers", fn: 4, answer: "010406000100000001" },
    { name: "coils as bits", fn: 1, answer: "01010105" },
    { name: "discrete inputs as bits", fn: 2, answer: "01020105" },
  ])("answers a read of $name with a valid frame", ({ fn, answer }) => {
    const frame = bus.answer(request(1, fn, 0, 3));
    expect(frame).not.toBeNull();
    expect(crcMatches(frame as Buffer)).toBe(true);
    expect((frame as Buffer).subarray(0, -2).toString("hex")).toBe(answer);
  });

  it("answers an exception for a bad address or function, and nothing for an unknown or silent unit", () => {
    expect(
      bus
        .answer(request(1, 3, 2, 2))
        ?.subarray(0, 3)
        .toString("hex"),
    ).toBe("018302");
    expect(
      bus
        .answer(request(1, 6, 0, 1))
        ?.subarray(0, 3)
        .toString("hex"),
    ).toBe("018601");
    expect(bus.answer(request(9, 3, 0, 1))).toBeNull();
    bus.setSilent(2, true);
    expect(bus.answer(request(2, 3, 0, 1))).toBeNull();
    bus.setSilent(2, false);
    expect(bus.answer(request(2, 3, 0, 1))).not.toBeNull();
  });

  it("reports whether a set changed the bay", () => {
    expect(bus.set(2, 1, true)).toBe(true);
    expect(bus.set(2, 1, true)).toBe(false);
    expect(() => bus.set(2, 3, true)).toThrow(/no bay 3 on unit 2/);
  });
});
