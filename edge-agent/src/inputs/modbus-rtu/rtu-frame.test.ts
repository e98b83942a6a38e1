import { describe, expect, it } from "vitest";
import { decodeReadAnswer, encodeReadRequest, type ReadRequest } from "./rtu-frame.js";

const hex = (text: string) => Buffer.from(text.replace(/\s/g, ""), "hex");
const holding: ReadRequest = { unit: 1, table: "holding", address: 0, count: 2 };

describe("RTU frames", () => {
  it("encodes the specification's read request example with its CRC (01 03 00 00 00 01 84 0A)", () => {
    expect(encodeReadRequest({ unit: 1, table: "holding", address: 0, count: 1 })).toEqual(
      hex("010300000001840a"),
    );
  });

  it.each([
    { name: "a partial answer", bytes: "0103040000", expected: { kind: "incomplete" } },
    { name: "two registers", bytes: "01030400000001 3bf3", expected: { kind: "ok", values: [0, 1] } },
    { name: "an exception", bytes: "018302 c0f1", expected: { kind: "exception", code: 2 } },
    { name: "a flipped CRC byte", bytes: "01030400000001 3b0c", expected: { kind: "crc" } },
    {
      name: "another function",
      bytes: "0104040000",
      expected: { kind: "frame", detail: "function 4 in an answer to function 3" },
    },
  ])("decodes $name", ({ bytes, expected }) => {
    expect(decodeReadAnswer(holding, hex(bytes))).toEqual(expected);
  });

  it("decodes coils as bits, low bit first", () => {
    const request: ReadRequest = { unit: 1, table: "coil", address: 0, count: 3 };
    const body = hex("01010105");
    const frame = Buffer.concat([body, hex("91 8b")]);
    expect(decodeReadAnswer(request, frame)).toEqual({ kind: "ok", values: [1, 0, 1] });
  });

  it("refuses a valid frame from another unit", () => {
    expect(decodeReadAnswer({ ...holding, unit: 2 }, hex("01030400000001 3bf3"))).toMatchObject({
      kind: "frame",
      detail: "unit 1 answered a request to unit 2",
    });
  });
});
