import type { AgentConfig, InputConfig } from "../config/schema.js";

/** What check-config prints after "ok:": the settings that matter, never the password. */
export function describeConfig(config: AgentConfig): string[] {
  const { gateway, broker, buffer, http, forward, clock } = config;
  const caps = [
    buffer.maxBytes === undefined ? null : `<= ${formatBytes(buffer.maxBytes)}`,
    buffer.maxAge === undefined ? null : `readings <= ${formatDuration(buffer.maxAge)} old`,
  ].filter((cap) => cap !== null);
  const cap = caps.length === 0 ? ", no cap: grows until the disk is full" : `, cap ${caps.join(" and ")}`;
  const reserve =
    buffer.reserve === 0 ? ", no disk reserve" : `, disk reserve ${formatBytes(buffer.reserve)}`;
  const tls = [
    broker.ca === undefined ? null : `ca ${broker.ca}`,
    broker.cert === undefined ? null : `client cert ${broker.cert}`,
    broker.rejectUnauthorized ? null : "server certificate NOT checked",
  ].filter((part) => part !== null);
  return [
    `gateway ${gateway.id} at site ${gateway.site}, ${config.inputs.length} input(s)`,
    `  broker  ${broker.url}${broker.username === undefined ? "" : ` as ${broker.username}`}` +
      `${broker.password === undefined ? "" : " (password set)"}, client id ${broker.clientId ?? gateway.id}` +
      `${tls.length === 0 ? "" : `, TLS: ${tls.join(", ")}`}`,
    `  buffer  ${buffer.path} (synchronous ${buffer.synchronous}${cap}${reserve})`,
    `  http    ${http.host}:${http.port}${http.port === 0 ? " (any free port)" : ""}`,
    `  clock   sync check ${clock.syncCheck}${clock.syncFile === undefined ? "" : ` (synchronized when ${clock.syncFile} exists)`}`,
    `  forward batches of <= ${forward.batchMaxEvents} events / ${forward.batchMaxBytes} bytes, ` +
      `<= ${forward.maxInFlight} in flight`,
    ...config.inputs.map((input) => `  input   ${describeInput(input)}`),
  ];
}

function describeInput(input: InputConfig): string {
  switch (input.type) {
    case "serial":
    case "tcp-serial": {
      const format =
        input.format === "delimited" ? `delimited by ${JSON.stringify(input.delimited?.separator)}` : "jsonl";
      const source =
        input.type === "serial" ? `${input.path} at ${input.baudRate} baud` : `${input.host}:${input.port}`;
      return `${input.name}: ${input.type} ${source}, ${format}, lines <= ${input.maxLineLength} bytes`;
    }
    case "camera-http":
      return (
        `${input.name}: camera-http POST /v1/lanes/${input.lane}/reads (token set)` +
        `${input.direction === undefined ? "" : `, direction ${input.direction}`}, bodies <= ${formatBytes(input.maxBodyBytes)}`
      );
    case "modbus-rtu":
      return (
        `${input.name}: modbus-rtu ${input.path} at ${input.baudRate} baud ${input.dataBits}${input.parity[0]?.toUpperCase()}${input.stopBits}, ` +
        `${input.sensors.length} sensor(s), ${input.sensors.reduce((sum, sensor) => sum + sensor.slots.length, 0)} slot(s), every ${input.pollIntervalMs} ms`
      );
    case "gpio":
      return `${input.name}: gpio ${input.chip} via ${input.gpiomon}, ${input.loops.length} loop(s), ${input.beams.length} beam pair(s), debounce ${input.debounceMs} ms`;
  }
}

function formatBytes(bytes: number): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && value % 1024 === 0 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value}${units[unit]}`;
}

function formatDuration(ms: number): string {
  const units: Array<[string, number]> = [
    ["d", 86_400_000],
    ["h", 3_600_000],
    ["m", 60_000],
    ["s", 1000],
  ];
  for (const [unit, size] of units) if (ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}
