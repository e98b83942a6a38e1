import type { NegativeCount } from "../../counts/clamp.js";
import type { CountChange } from "../../counts/count-feed.js";
import type { SqliteStoreOptions } from "../sqlite/sqlite-store.js";
import type { Store } from "../store.js";

/** The Store methods the worker answers; `subscribeCounts` and `close` are handled apart. */
export const CALLED_METHODS = [
  "insertBatch",
  "recordRejected",
  "listRejected",
  "recordGatewayStatus",
  "listGateways",
  "getEvent",
  "listGaps",
  "currentCounts",
  "countAt",
  "countsAt",
  "listSlots",
  "totals",
  "sessionsByStatus",
  "listSessions",
  "readOutbox",
  "markDelivered",
] as const satisfies readonly (keyof Store)[];

export type CalledMethod = (typeof CALLED_METHODS)[number];

/** What the worker is started with: the SQLite store's options that survive a structured clone. */
export interface StoreWorkerData {
  store: Omit<SqliteStoreOptions, "logger" | "onNegativeCount">;
  /** The pino level of the caller's logger, so a silent caller gets a silent worker. */
  logLevel: string;
}

export interface CallRequest {
  kind: "call";
  id: number;
  method: CalledMethod;
  args: unknown[];
}

export interface CloseRequest {
  kind: "close";
  id: number;
}

export type WorkerRequest = CallRequest | CloseRequest;

/** An error as it crosses the thread boundary: enough to rebuild a LotwatchError. */
export interface WireError {
  name: string;
  message: string;
  code?: string | undefined;
}

export type WorkerReply =
  | { kind: "ready" }
  | { kind: "failed"; error: WireError }
  | { kind: "result"; id: number; value: unknown }
  | { kind: "error"; id: number; error: WireError }
  | { kind: "counts"; changes: readonly CountChange[] }
  | { kind: "negative"; negative: NegativeCount };
