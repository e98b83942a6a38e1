import { createHash, randomUUID } from "node:crypto";
import pg from "pg";
import type { CountChange } from "../../counts/count-feed.js";
import type { Logger } from "../../logging/create-logger.js";
import type { PostgresTarget } from "./connect.js";
import { query, type Sql } from "./sql.js";

/** PostgreSQL refuses a NOTIFY payload of 8,000 bytes or more; changes go in chunks under this. */
const MAX_PAYLOAD_CHARS = 7_000;
const RELISTEN_MS = 1_000;
const NOTIFY = "SELECT pg_notify($1, $2)";

export interface CountNotifyOptions {
  logger: Logger;
  /** Publishes another worker's changes on this store's count feed. */
  publish(changes: readonly CountChange[]): void;
}

/**
 * Count changes between ingests that share one schema, so every worker's SSE clients see every
 * commit: a batch's changes go out with NOTIFY inside its transaction (PostgreSQL delivers them
 * only if it commits), and a store with count subscribers LISTENs on a connection of its own.
 */
export interface CountNotify {
  /** Inside the batch's transaction. */
  send(sql: Sql, changes: readonly CountChange[]): Promise<void>;
  /** Starts listening, once; reconnects after a lost connection. Resolves once first listening. */
  listen(): Promise<void>;
  close(): Promise<void>;
}

interface Payload {
  origin: string;
  changes: CountChange[];
}

/** One channel per schema: ingests of other schemas on the same server do not hear each other. */
export function countChannel(schema: string): string {
  return `lotwatch_counts_${createHash("sha256").update(schema).digest("hex").slice(0, 16)}`;
}

export function createCountNotify(target: PostgresTarget, options: CountNotifyOptions): CountNotify {
  const { logger } = options;
  const channel = countChannel(target.schema);
  // This store publishes its own changes after its commits; it skips them when they come back.
  const origin = randomUUID();
  let listening: Promise<void> | null = null;
  let closed = false;
  let client: pg.Client | null = null;
  let retry: NodeJS.Timeout | undefined;
  let lost = false;
  let ready = () => {};

  const heard = (message: pg.Notification) => {
    if (message.channel !== channel || message.payload === undefined) return;
    let payload: Payload;
    try {
      payload = JSON.parse(message.payload) as Payload;
    } catch (error) {
      logger.warn({ err: error, channel }, "ignored a count notification that is not JSON");
      return;
    }
    if (payload.origin === origin || !Array.isArray(payload.changes)) return;
    options.publish(payload.changes);
  };

  const connect = async () => {
    const fresh = new pg.Client({
      connectionString: target.connectionString,
      connectionTimeoutMillis: 10_000,
    });
    fresh.on("notification", heard);
    fresh.on("error", (error) => {
      if (client === fresh) client = null;
      fresh.end().catch(() => {});
      again(error);
    });
    client = fresh;
    await fresh.connect();
    await fresh.query(`LISTEN ${channel}`);
    if (closed) await fresh.end();
    if (lost) logger.info("listening to other workers' count changes again");
    lost = false;
    ready();
  };
  const again = (error: unknown) => {
    if (closed) return;
    if (!lost) {
      logger.warn(
        { err: error },
        "lost the connection that hears other workers' count changes; their changes reach this worker's streams again once it is back",
      );
    }
    lost = true;
    clearTimeout(retry);
    retry = setTimeout(() => {
      connect().catch(again);
    }, RELISTEN_MS);
  };

  return {
    async send(sql, changes) {
      let chunk: CountChange[] = [];
      let size = 0;
      const flush = async () => {
        if (chunk.length === 0) return;
        await query(sql, NOTIFY, [channel, JSON.stringify({ origin, changes: chunk } satisfies Payload)]);
        chunk = [];
        size = 0;
      };
      for (const change of changes) {
        const length = JSON.stringify(change).length + 1;
        if (size + length > MAX_PAYLOAD_CHARS - origin.length - 32) await flush();
        chunk.push(change);
        size += length;
      }
      await flush();
    },
    listen() {
      listening ??= closed
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            ready = resolve;
            connect().catch(again);
          });
      return listening;
    },
    async close() {
      closed = true;
      ready();
      clearTimeout(retry);
      const closing = client;
      client = null;
      await closing?.end().catch(() => {});
    },
  };
}
