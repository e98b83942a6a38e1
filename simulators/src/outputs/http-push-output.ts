import { LotwatchError } from "@lotwatch/protocol/errors.js";
import type { SimReading } from "../scenario/sim-read.js";
import type { Output } from "./output.js";

export interface HttpPushOptions {
  /** The agent's HTTP base URL, e.g. http://127.0.0.1:9100. */
  agentUrl: string;
  token?: string;
}

/**
 * An ANPR camera pushing its reads to the agent's `camera-http` input:
 * `POST {agentUrl}/v1/lanes/{lane}/reads` with an array of readings, answered 202 once committed.
 * Door counters have no HTTP push; select lanes with `--only`.
 */
export function createHttpPushOutput(options: HttpPushOptions): Output {
  const base = options.agentUrl.replace(/\/+$/, "");
  return {
    describe: { output: "http", agentUrl: base },
    async send(batch, signal) {
      const byLane = new Map<string, SimReading[]>();
      for (const reading of batch) {
        if (reading.type === "door.crossing") {
          throw new LotwatchError(
            "NOT_A_CAMERA_READ",
            `door ${reading.door}: door counters cannot push over camera HTTP; pick lanes with --only`,
          );
        }
        byLane.set(reading.lane, [...(byLane.get(reading.lane) ?? []), reading]);
      }
      for (const [lane, readings] of byLane) {
        const url = `${base}/v1/lanes/${encodeURIComponent(lane)}/reads`;
        const response = await fetch(url, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
          },
          body: JSON.stringify(readings),
          signal,
        });
        if (response.status !== 202) {
          throw new LotwatchError(
            "PUSH_REFUSED",
            `POST ${url} answered ${response.status}: ${(await response.text()).slice(0, 300)}`,
          );
        }
      }
    },
    close: async () => {},
  };
}
