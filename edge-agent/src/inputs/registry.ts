import type { InputConfig } from "../config/schema.js";
import { createCameraHttpInput } from "./camera-http/camera-http-input.js";
import { createGpioInput } from "./gpio/gpio-input.js";
import type { Input, InputContext, InputFactory } from "./input.js";
import { createModbusRtuInput } from "./modbus-rtu/modbus-rtu-input.js";
import { createSerialLineInput } from "./serial-line/serial-line-input.js";
import { createTcpSerialInput } from "./tcp-serial/tcp-serial-input.js";

/** One factory per input `type` in the config. */
export type InputFactories = {
  [Type in InputConfig["type"]]: InputFactory<Extract<InputConfig, { type: Type }>>;
};

export interface InputRegistry {
  create(config: InputConfig, context: InputContext): Input;
  types(): string[];
}

export function createInputRegistry(factories: InputFactories): InputRegistry {
  return {
    create(config, context) {
      const factory = factories[config.type] as InputFactory<InputConfig>;
      return factory(config, context);
    },
    types: () => Object.keys(factories),
  };
}

export const defaultInputFactories: InputFactories = {
  serial: createSerialLineInput,
  "tcp-serial": createTcpSerialInput,
  "camera-http": createCameraHttpInput,
  "modbus-rtu": createModbusRtuInput,
  gpio: createGpioInput,
};
