import { join } from "node:path";
import { builtScript, type RunningChild, startChild } from "./child.js";

export interface IngestReady {
  httpUrl: string;
  mqttUrl: string;
  pid: number;
}

export interface IngestProcessOptions {
  dir: string;
  topologyPath: string;
  dbPath?: string;
}

/** The real `lotwatch-ingest` (cloud-ingest/dist/cli.js) on free loopback ports, embedded broker. */
export function startIngestProcess(options: IngestProcessOptions): Promise<RunningChild<IngestReady>> {
  const readyFile = join(options.dir, `ingest-ready-${Date.now()}.json`);
  return startChild<IngestReady>({
    label: "lotwatch-ingest",
    script: builtScript("@lotwatch/cloud-ingest/cli.js"),
    args: [
      "--topology",
      options.topologyPath,
      "--db",
      options.dbPath ?? join(options.dir, `ingest-${Date.now()}.db`),
      "--host",
      "127.0.0.1",
      "--http-port",
      "0",
      "--mqtt-port",
      "0",
      "--ready-file",
      readyFile,
    ],
    readyFile,
  });
}

/** Events the ingest stored for one gateway, from `GET /v1/gateways`. */
export async function storedEvents(httpUrl: string, gateway: string): Promise<number> {
  const response = await fetch(`${httpUrl}/v1/gateways`);
  const body = (await response.json()) as { gateways: Array<{ id: string; events: number }> };
  return body.gateways.find((entry) => entry.id === gateway)?.events ?? 0;
}
