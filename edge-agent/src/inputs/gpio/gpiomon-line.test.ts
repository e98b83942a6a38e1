import { describe, expect, it } from "vitest";
import { parseGpiomonLine } from "./gpiomon-line.js";

// Lines in the format libgpiod v2's gpiomon prints by default (tools/gpiomon.c,
// event_print_human_readable; the README's examples show e.g. `2284.390065695\trising\t"GPIO22"`).
describe("parseGpiomonLine", () => {
  it.each([
    {
      name: "an unnamed line with --chip",
      line: "10002.907638045\trising\tgpiochip0 17",
      event: { timeMs: 10_002_907.638045, edge: "rising", chip: "gpiochip0", offset: 17 },
    },
    {
      name: "a named line with --chip",
      line: '10003.000000001\tfalling\tgpiochip0 22 "GPIO22"',
      event: { timeMs: 10_003_000.000001, edge: "falling", chip: "gpiochip0", offset: 22, name: "GPIO22" },
    },
    {
      name: "a line named without --chip",
      line: '2284.390065695\trising\t"GPIO22"',
      event: { timeMs: 2_284_390.065695, edge: "rising", name: "GPIO22" },
    },
    {
      name: "an unquoted name",
      line: "2285.194713941\tfalling\tGPIO22",
      event: { timeMs: 2_285_194.713941, edge: "falling", name: "GPIO22" },
    },
  ])("reads $name", ({ line, event }) => {
    const parsed = parseGpiomonLine(line);
    expect(parsed.ok).toBe(true);
    if (parsed.ok) {
      expect(parsed.event).toMatchObject({ ...event, timeMs: expect.closeTo(event.timeMs, 6) });
    }
  });

  it.each([
    { name: "v1's format", line: "event:  RISING EDGE offset: 17 timestamp: [1536847834.123456789]" },
    { name: "a banner", line: "Monitoring line 'GPIO22'..." },
    { name: "a bad timestamp", line: "12.34\trising\tgpiochip0 1" },
    { name: "a bad edge", line: "12.000000000\tup\tgpiochip0 1" },
  ])("refuses $name", ({ line }) => {
    expect(parseGpiomonLine(line).ok).toBe(false);
  });
});
