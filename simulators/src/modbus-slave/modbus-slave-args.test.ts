import { describe, expect, it } from "vitest";
import { MODBUS_SLAVE_DEFAULTS, parseModbusSlaveArgs, parseUnits } from "./modbus-slave-args.js";

describe("modbus-slave arguments", () => {
  it("expands unit lists and ranges", () => {
    expect(parseUnits("3,1-2, 7")).toEqual([1, 2, 3, 7]);
  });

  it.each(["0", "1-300", "4-2", "x"])("refuses the unit list %s, naming the flag", (units) => {
    expect(() => parseUnits(units)).toThrow(/--units must list unit ids from 1 to 247/);
  });

  it("applies the defaults and checks the numbers", () => {
    expect(parseModbusSlaveArgs({ device: "/tmp/x-sim", ...MODBUS_SLAVE_DEFAULTS })).toEqual({
      device: "/tmp/x-sim",
      units: [1],
      slotsPerUnit: 1,
      flipEveryMs: 0,
      seed: 1,
      crcErrorRate: 0,
    });
    expect(() =>
      parseModbusSlaveArgs({ device: "/tmp/x-sim", ...MODBUS_SLAVE_DEFAULTS, crcErrorRate: "2" }),
    ).toThrow(/--crc-error-rate must be a number from 0 to 1/);
  });
});
