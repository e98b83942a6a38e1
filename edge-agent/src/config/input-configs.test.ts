import { describe, expect, it } from "vitest";
import { describeConfig } from "../cli/describe-config.js";
import { parseConfig } from "./load-config.js";

const base = {
  gateway: { id: "gw-1", site: "mall-a" },
  broker: { url: "mqtt://127.0.0.1:1883" },
  buffer: { path: "/tmp/buffer.db" },
};

const errorsOf = (inputs: unknown[]) => {
  try {
    parseConfig({ ...base, inputs }, "agent.yaml", { env: {} });
    return [];
  } catch (error) {
    return (error as Error).message.split("\n");
  }
};

describe("config of the camera-http, modbus-rtu and gpio inputs", () => {
  it("fills in defaults and describes each input for check-config, never printing the token", () => {
    const config = parseConfig(
      {
        ...base,
        inputs: [
          { type: "camera-http", lane: "entry-1", token: "0123456789abcdef-secret", direction: "in" },
          { type: "modbus-rtu", path: "/dev/rs485", sensors: [{ unit: 1, slots: ["L1-001", "L1-002"] }] },
          { type: "gpio", chip: "gpiochip0", beams: [{ a: 22, b: 23, door: "door-1" }] },
        ],
      },
      "agent.yaml",
      { env: {} },
    );
    expect(config.inputs[1]).toMatchObject({
      name: "modbus-rtu-1",
      baudRate: 19_200,
      parity: "even",
      table: "holding",
      pollIntervalMs: 1000,
      timeoutMs: 200,
      offlineAfter: 3,
    });
    expect(config.inputs[2]).toMatchObject({
      gpiomon: "gpiomon",
      debounceMs: 20,
      beams: [{ gapMs: 500, activeLow: false }],
    });
    const lines = describeConfig(config).filter((line) => line.startsWith("  input"));
    expect(lines).toEqual([
      "  input   camera-http-0: camera-http POST /v1/lanes/entry-1/reads (token set), direction in, bodies <= 64KB",
      "  input   modbus-rtu-1: modbus-rtu /dev/rs485 at 19200 baud 8E1, 1 sensor(s), 2 slot(s), every 1000 ms",
      "  input   gpio-2: gpio gpiochip0 via gpiomon, 0 loop(s), 1 beam pair(s), debounce 20 ms",
    ]);
    expect(describeConfig(config).join("\n")).not.toContain("secret");
  });

  it.each([
    {
      name: "a short camera token",
      inputs: [{ type: "camera-http", lane: "entry-1", token: "short" }],
      error: "agent.yaml: inputs[0].token: expected a token of at least 16 characters",
    },
    {
      name: "a slot read from two registers",
      inputs: [
        {
          type: "modbus-rtu",
          path: "/dev/rs485",
          sensors: [
            { unit: 1, slots: ["A"] },
            { unit: 2, slots: ["A"] },
          ],
        },
      ],
      error: 'agent.yaml: inputs[0].sensors[1].slots[0]: slot "A" is already read from another register',
    },
    {
      name: "a unit id past 247",
      inputs: [{ type: "modbus-rtu", path: "/dev/rs485", sensors: [{ unit: 300, slots: ["A"] }] }],
      error: "agent.yaml: inputs[0].sensors[0].unit: expected an integer from 1 to 247",
    },
    {
      name: "a GPIO line used twice",
      inputs: [
        {
          type: "gpio",
          chip: "gpiochip0",
          loops: [{ line: 5, door: "d" }],
          beams: [{ a: 5, b: 6, door: "e" }],
        },
      ],
      error: "agent.yaml: inputs[0].beams[0].a: line 5 is already used by loops.0.line",
    },
    {
      name: "a gpio input without loops or beams",
      inputs: [{ type: "gpio", chip: "gpiochip0" }],
      error: "agent.yaml: inputs[0].loops: expected at least one loop or beam pair",
    },
  ])("refuses $name, naming the key", ({ inputs, error }) => {
    expect(errorsOf(inputs)).toContain(error);
  });
});
