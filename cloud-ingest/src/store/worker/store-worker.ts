import { parentPort, workerData } from "node:worker_threads";
import { pino } from "pino";
import { createSqliteStore } from "../sqlite/sqlite-store.js";
import type { Store } from "../store.js";
import type { StoreWorkerData, WireError, WorkerReply, WorkerRequest } from "./messages.js";

/** The worker thread's side of worker-store.ts: one SQLite store, answering calls from its port. */
const port = parentPort;
if (port === null) throw new Error("store-worker.js runs as a worker thread (see worker-store.ts)");
const data = workerData as StoreWorkerData;
const post = (reply: WorkerReply) => port.postMessage(reply);

let store: Store;
try {
  store = createSqliteStore({
    ...data.store,
    logger: pino({ level: data.logLevel }).child({ component: "store" }),
    onNegativeCount: (negative) => post({ kind: "negative", negative }),
  });
  store.subscribeCounts((changes) => post({ kind: "counts", changes }));
  post({ kind: "ready" });
} catch (error) {
  post({ kind: "failed", error: toWire(error) });
  port.close();
}

port.on("message", async (request: WorkerRequest) => {
  if (request.kind === "close") {
    try {
      await store.close();
      post({ kind: "result", id: request.id, value: undefined });
    } catch (error) {
      post({ kind: "error", id: request.id, error: toWire(error) });
    }
    port.close();
    return;
  }
  try {
    const method = store[request.method] as (...args: unknown[]) => Promise<unknown>;
    const value = await method(...request.args);
    post({ kind: "result", id: request.id, value });
  } catch (error) {
    post({ kind: "error", id: request.id, error: toWire(error) });
  }
});

function toWire(error: unknown): WireError {
  if (!(error instanceof Error)) return { name: "Error", message: String(error) };
  const code = (error as { code?: unknown }).code;
  return { name: error.name, message: error.message, code: typeof code === "string" ? code : undefined };
}
