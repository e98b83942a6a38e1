import { describe, expect, it } from "vitest";
import { createLineFramer } from "./line-framer.js";

type Event = string;

function frame(chunks: Array<string | Buffer>, maxLineLength = 16, end = false): Event[] {
  const events: Event[] = [];
  const framer = createLineFramer({
    maxLineLength,
    onLine: (line, n) => events.push(`${n}:${line.toString("latin1")}`),
    onDiscard: (reason, n) => events.push(`${n}!${reason}`),
  });
  for (const chunk of chunks) framer.push(typeof chunk === "string" ? Buffer.from(chunk, "latin1") : chunk);
  if (end) framer.end();
  return events;
}

describe("createLineFramer", () => {
  it.each([
    { name: "splits lines and numbers them", chunks: ["a\nbb\nccc\n"], expected: ["1:a", "2:bb", "3:ccc"] },
    { name: "strips CR of CRLF endings", chunks: ["a\r\nb\r\n"], expected: ["1:a", "2:b"] },
    {
      name: "joins a line split across chunks",
      chunks: ["ab", "c", "d\nef", "\n"],
      expected: ["1:abcd", "2:ef"],
    },
    {
      name: "passes empty lines on (the parser skips them)",
      chunks: ["\n\r\nx\n"],
      expected: ["1:", "2:", "3:x"],
    },
    { name: "holds a line without newline until it ends", chunks: ["abc"], expected: [] },
    {
      name: "drops an overlong line to its newline, once, and goes on",
      chunks: ["ok\n", "x".repeat(10), "x".repeat(10), "x".repeat(10), "\nnext\n"],
      expected: ["1:ok", "2!overlong", "3:next"],
    },
    {
      name: "drops an overlong line that arrives in one chunk",
      chunks: [`${"y".repeat(40)}\nz\n`],
      expected: ["1!overlong", "2:z"],
    },
    {
      name: "allows a line of exactly maxLineLength with CRLF",
      chunks: [`${"m".repeat(16)}\r\n${"n".repeat(17)}\n`],
      expected: [`1:${"m".repeat(16)}`, "2!overlong"],
    },
  ])("$name", ({ chunks, expected }) => {
    expect(frame(chunks)).toEqual(expected);
  });

  it("discards and reports a half line when the source closes, then counts on", () => {
    const events: Event[] = [];
    const framer = createLineFramer({
      maxLineLength: 16,
      onLine: (line, n) => events.push(`${n}:${line.toString()}`),
      onDiscard: (reason, n) => events.push(`${n}!${reason}`),
    });
    framer.push(Buffer.from("a\nhal"));
    framer.end();
    framer.push(Buffer.from("b\n"));
    expect(events).toEqual(["1:a", "2!partial", "2:b"]);
  });

  it("does not report an overlong line twice when the source closes mid-skip", () => {
    expect(frame(["x".repeat(40)], 16, true)).toEqual(["1!overlong"]);
  });

  it("keeps bytes it holds safe from reuse of the source's chunk", () => {
    const events: Event[] = [];
    const framer = createLineFramer({
      maxLineLength: 16,
      onLine: (line) => events.push(line.toString()),
      onDiscard: () => undefined,
    });
    const chunk = Buffer.from("abc");
    framer.push(chunk);
    chunk.write("XYZ");
    framer.push(Buffer.from("\n"));
    expect(events).toEqual(["abc"]);
  });
});
