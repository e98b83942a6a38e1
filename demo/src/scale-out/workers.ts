import { rmSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { type Service, startService, waitForReadyFile } from "../processes.js";

const require = createRequire(import.meta.url);
const INGEST_BIN = require.resolve("@lotwatch/cloud-ingest/cli.js");

export interface WorkerOptions {
  name: string;
  dir: string;
  topology: string;
  db: string;
  broker: string;
  clientId: string;
  shareGroup: string;
  /** Extra `lotwatch-ingest` arguments. */
  args?: string[];
}

/** An ingest worker process (`--broker … --share-group …`), restartable with the same client id. */
export interface Worker {
  readonly name: string;
  readonly logFile: string;
  start(): Promise<void>;
  stop(signal: "SIGTERM" | "SIGKILL"): Promise<void>;
  httpUrl(): string;
  /** `lotwatch_ingest_events_total` of the running process (0 after a restart). */
  eventsStored(): Promise<number>;
}

const live = new Set<Service>();
process.once("exit", () => {
  for (const service of live) service.child.kill("SIGKILL");
});

export function createWorker(options: WorkerOptions): Worker {
  const readyFile = join(options.dir, `${options.name}.ready.json`);
  const logFile = join(options.dir, `${options.name}.log`);
  let service: Service | null = null;
  let httpUrl = "";
  return {
    name: options.name,
    logFile,
    async start() {
      rmSync(readyFile, { force: true });
      const started = startService({
        name: options.name,
        logFile,
        env: { LOTWATCH_LOG_LEVEL: "warn" },
        args: [
          INGEST_BIN,
          "--topology",
          options.topology,
          "--db",
          options.db,
          "--broker",
          options.broker,
          "--client-id",
          options.clientId,
          "--share-group",
          options.shareGroup,
          "--http-port",
          "0",
          "--ready-file",
          readyFile,
          ...(options.args ?? []),
        ],
      });
      service = started;
      live.add(started);
      void started.exited.then(() => live.delete(started));
      httpUrl = (await waitForReadyFile<{ httpUrl: string }>(started, readyFile, 60_000)).httpUrl;
    },
    async stop(signal) {
      const current = service;
      service = null;
      await current?.stop(signal, 15_000);
    },
    httpUrl: () => httpUrl,
    async eventsStored() {
      const text = await (await fetch(`${httpUrl}/metrics`)).text();
      return Number(/^lotwatch_ingest_events_total (\d+)/m.exec(text)?.[1] ?? 0);
    },
  };
}
