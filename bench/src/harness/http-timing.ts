import { Agent, get } from "node:http";
import { LotwatchError } from "@lotwatch/protocol/errors.js";
import { createLatencyRecorder, type LatencyRecorder, nowMicros } from "./latency.js";

/**
 * GETs each path in turn over one keep-alive connection, as a single client would, and records
 * each request's latency (sending to the last byte of the body). Any non-200 answer is an error.
 */
export async function timeSequentialGets(
  baseUrl: string,
  paths: readonly string[],
): Promise<LatencyRecorder> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const latencies = createLatencyRecorder();
  try {
    for (const path of paths) {
      const started = nowMicros();
      const { status, body } = await getOnce(agent, `${baseUrl}${path}`);
      latencies.record(nowMicros() - started);
      if (status !== 200)
        throw new LotwatchError("bad_answer", `GET ${path} answered ${status}: ${body.slice(0, 200)}`);
    }
    return latencies;
  } finally {
    agent.destroy();
  }
}

function getOnce(agent: Agent, url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = get(url, { agent }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () =>
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }),
      );
      response.on("error", reject);
    });
    request.setTimeout(10_000, () => request.destroy(new Error(`GET ${url} timed out`)));
    request.on("error", reject);
  });
}
