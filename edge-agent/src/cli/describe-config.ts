import type { AgentConfig, InputConfig } from "../config/schema.js";

/** What check-config prints after "ok:": the settings that matter, never the password. */
export function describeConfig(config: AgentConfig): string[] {
  const { gateway, broker, buffer, http, forward } = config;
  const cap =
    buffer.maxBytes !== undefined || buffer.maxAge !== undefined
      ? "; maxBytes/maxAge are accepted but NOT enforced by this version"
      : "";
  return [
    `gateway ${gateway.id} at site ${gateway.site}, ${config.inputs.length} input(s)`,
    `  broker  ${broker.url}${broker.username === undefined ? "" : ` as ${broker.username}`}` +
      `${broker.password === undefined ? "" : " (password set)"}, client id ${broker.clientId ?? gateway.id}`,
    `  buffer  ${buffer.path} (synchronous ${buffer.synchronous}${cap})`,
    `  http    ${http.host}:${http.port}${http.port === 0 ? " (any free port)" : ""}`,
    `  forward batches of <= ${forward.batchMaxEvents} events / ${forward.batchMaxBytes} bytes, ` +
      `<= ${forward.maxInFlight} in flight`,
    ...config.inputs.map((input) => `  input   ${describeInput(input)}`),
  ];
}

function describeInput(input: InputConfig): string {
  const format =
    input.format === "delimited" ? `delimited by ${JSON.stringify(input.delimited?.separator)}` : "jsonl";
  const source =
    input.type === "serial" ? `${input.path} at ${input.baudRate} baud` : `${input.host}:${input.port}`;
  return `${input.name}: ${input.type} ${source}, ${format}, lines <= ${input.maxLineLength} bytes`;
}
