import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { LotwatchError } from "@lotwatch/protocol/errors.js";
import type { NegativeCountHook } from "../../counts/clamp.js";
import { createCountFeed } from "../../counts/count-feed.js";
import { createLogger } from "../../logging/create-logger.js";
import type { SqliteStoreOptions } from "../sqlite/sqlite-store.js";
import type { Store } from "../store.js";
import {
  CALLED_METHODS,
  type CalledMethod,
  type StoreWorkerData,
  type WireError,
  type WorkerReply,
  type WorkerRequest,
} from "./messages.js";

export type WorkerStoreOptions = SqliteStoreOptions;

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/**
 * The SQLite store on a thread of its own. Every call and its answer cross a message port, so
 * the event loop that runs the broker, JSON parsing and validation runs alongside the one that
 * writes the database: on two cores a stream of envelopes is parsed while earlier ones commit
 * (issue 5). The answers are the SQLite store's; count changes and negative-count reports are
 * forwarded before the answer of the call that caused them.
 */
export async function createWorkerStore(options: WorkerStoreOptions): Promise<Store> {
  const { logger: givenLogger, onNegativeCount, ...storeOptions } = options;
  const logger = givenLogger ?? createLogger("store");
  const data: StoreWorkerData = { store: storeOptions, logLevel: logger.level };
  const worker = new Worker(workerScript(), { workerData: data });
  const feed = createCountFeed((error) => logger.error({ err: error }, "a count listener failed"));
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let gone: Error | null = null;

  const ready = new Promise<void>((resolve, reject) => {
    worker.on("message", (reply: WorkerReply) => {
      switch (reply.kind) {
        case "ready":
          resolve();
          return;
        case "failed":
          reject(fromWire(reply.error));
          return;
        case "counts":
          feed.publish(reply.changes);
          return;
        case "negative":
          (onNegativeCount as NegativeCountHook | undefined)?.(reply.negative);
          return;
        case "result":
        case "error": {
          const call = pending.get(reply.id);
          pending.delete(reply.id);
          if (reply.kind === "result") call?.resolve(reply.value);
          else call?.reject(fromWire(reply.error));
          return;
        }
      }
    });
    worker.on("error", (error) => {
      logger.error({ err: error }, "the store thread failed");
      reject(error);
    });
    worker.once("exit", (code) => {
      gone ??= new LotwatchError("store_closed", `the store is closed (its thread exited with code ${code})`);
      reject(gone);
      for (const call of pending.values()) call.reject(gone);
      pending.clear();
    });
  });
  await ready;

  const send = (request: WorkerRequest) =>
    new Promise<unknown>((resolve, reject) => {
      if (gone !== null) {
        reject(gone);
        return;
      }
      pending.set(request.id, { resolve, reject });
      worker.postMessage(request);
    });
  const call =
    (method: CalledMethod) =>
    (...args: unknown[]) =>
      send({ kind: "call", id: nextId++, method, args });

  let closing: Promise<void> | undefined;
  const store = Object.fromEntries(CALLED_METHODS.map((method) => [method, call(method)])) as Pick<
    Store,
    CalledMethod
  >;
  return {
    ...store,
    subscribeCounts: (listener) => feed.subscribe(listener),
    close() {
      closing ??= (async () => {
        if (gone !== null) return;
        await send({ kind: "close", id: nextId++ });
        await new Promise<void>((resolve) => {
          if (gone !== null) resolve();
          else worker.once("exit", () => resolve());
        });
      })();
      return closing;
    },
  };
}

/**
 * The built worker file beside this one. Under vitest this module is TypeScript, which a worker
 * thread cannot load, so it falls back to the package's build output (`npm test` builds first).
 */
function workerScript(): URL {
  const beside = new URL("./store-worker.js", import.meta.url);
  if (existsSync(beside)) return beside;
  const built = fileURLToPath(beside).replace(/([/\\])src([/\\])(?!.*[/\\]src[/\\])/, "$1dist$2");
  if (existsSync(built)) return pathToFileURL(built);
  throw new LotwatchError(
    "store_worker_missing",
    `the store thread's script is missing (${fileURLToPath(beside)}); run \`npm run build\``,
  );
}

function fromWire(error: WireError): Error {
  const rebuilt =
    error.code === undefined ? new Error(error.message) : new LotwatchError(error.code, error.message);
  rebuilt.name = error.name;
  return rebuilt;
}
