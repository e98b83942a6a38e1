import { describe, expect, it } from "vitest";
import { createLineParser, type ParseResult } from "./line-parsers.js";

const jsonl = createLineParser({ format: "jsonl" });
const delimited = createLineParser({
  format: "delimited",
  delimited: { separator: ";", fields: ["type", "lane", "plate", "confidence", "occurredAt"] },
});
const slots = createLineParser({
  format: "delimited",
  delimited: { separator: ",", fields: ["type", "_", "slot", "occupied"] },
});

const summary = (result: ParseResult) =>
  result.ok === false ? `${result.reason}: ${result.detail}` : result;

describe("createLineParser", () => {
  it.each([
    {
      name: "jsonl vehicle entry",
      parser: jsonl,
      line: '{"type":"vehicle.entry","lane":"entry-1","plate":"KA01AB1234","confidence":0.93,"occurredAt":"2026-11-22T09:59:58.010Z"}',
      expected: {
        ok: true,
        reading: {
          type: "vehicle.entry",
          lane: "entry-1",
          plate: "KA01AB1234",
          confidence: 0.93,
          occurredAt: "2026-11-22T09:59:58.010Z",
        },
      },
    },
    {
      name: "jsonl door crossing without time",
      parser: jsonl,
      line: '{"type":"door.crossing","door":"door-1","direction":-1}',
      expected: { ok: true, reading: { type: "door.crossing", door: "door-1", direction: -1 } },
    },
    {
      name: "delimited with number coercion",
      parser: delimited,
      line: "vehicle.exit;exit-1;KA01AB1234;0.8;2026-11-22T10:00:00.000Z",
      expected: {
        ok: true,
        reading: {
          type: "vehicle.exit",
          lane: "exit-1",
          plate: "KA01AB1234",
          confidence: 0.8,
          occurredAt: "2026-11-22T10:00:00.000Z",
        },
      },
    },
    {
      name: "delimited with empty optional fields",
      parser: delimited,
      line: "vehicle.entry;entry-1;AB12; ;",
      expected: { ok: true, reading: { type: "vehicle.entry", lane: "entry-1", plate: "AB12" } },
    },
    {
      name: "delimited with a skipped column and a boolean",
      parser: slots,
      line: "slot.state,ignored,L1-001,yes",
      expected: { ok: true, reading: { type: "slot.state", slot: "L1-001", occupied: true } },
    },
    { name: "blank line", parser: jsonl, line: "   ", expected: { ok: "blank" } },
  ])("parses $name", ({ parser, line, expected }) => {
    expect(parser(Buffer.from(line))).toEqual(expected);
  });

  it.each([
    {
      name: "binary garbage",
      parser: jsonl,
      line: Buffer.from([0x00, 0xff, 0x13, 0x37]),
      reason: /^encoding: control byte 0x00/,
    },
    {
      name: "invalid UTF-8",
      parser: jsonl,
      line: Buffer.from([0x7b, 0xc3, 0x28, 0x7d]),
      reason: /^encoding: not UTF-8/,
    },
    { name: "bad JSON", parser: jsonl, line: Buffer.from('{"type":'), reason: /^json: / },
    {
      name: "a JSON array",
      parser: jsonl,
      line: Buffer.from("[1,2]"),
      reason: /^schema: expected one JSON object/,
    },
    {
      name: "a reading failing the schema",
      parser: jsonl,
      line: Buffer.from('{"type":"door.crossing","door":"door-1","direction":2}'),
      reason: /^schema: direction: direction must be 1 or -1/,
    },
    {
      name: "an unknown type",
      parser: jsonl,
      line: Buffer.from('{"type":"vehicle.teleport"}'),
      reason: /^schema: type: type must be one of/,
    },
    {
      name: "too few delimited fields",
      parser: delimited,
      line: Buffer.from("vehicle.entry;entry-1"),
      reason: /^fields: expected 5 fields separated by ";", got 2/,
    },
    {
      name: "a non-numeric confidence",
      parser: delimited,
      line: Buffer.from("vehicle.entry;entry-1;AB12;high;"),
      reason: /^schema: confidence: /,
    },
  ])("rejects $name", ({ parser, line, reason }) => {
    expect(summary(parser(line))).toMatch(reason);
  });
});

describe("NMEA-style checksums", () => {
  const line = '{"type":"door.crossing","door":"d1","direction":1}';
  const sum = [...Buffer.from(line)]
    .reduce((xor, byte) => xor ^ byte, 0)
    .toString(16)
    .toUpperCase()
    .padStart(2, "0");
  const optional = createLineParser({ format: "jsonl", checksum: "optional" });
  const required = createLineParser({ format: "jsonl", checksum: "required" });
  const reading = { ok: true, reading: { type: "door.crossing", door: "d1", direction: 1 } };

  it("checks and strips a valid *HH suffix, with or without a leading $", () => {
    expect(optional(Buffer.from(`${line}*${sum}`))).toEqual(reading);
    expect(required(Buffer.from(`$${line}*${sum.toLowerCase()}`))).toEqual(reading);
  });

  it("takes a line without a suffix only when the checksum is optional", () => {
    expect(optional(Buffer.from(line))).toEqual(reading);
    expect(summary(required(Buffer.from(line)))).toBe("checksum: no *HH checksum at the end of the line");
  });

  it("refuses a line whose checksum does not match, naming both sums", () => {
    const wrong = sum === "00" ? "01" : "00";
    expect(summary(optional(Buffer.from(`${line}*${wrong}`)))).toBe(
      `checksum: checksum *${wrong.toLowerCase()} does not match the line's *${sum.toLowerCase()}`,
    );
  });
});
