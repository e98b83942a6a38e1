import type pg from "pg";
import type { Logger } from "../../logging/create-logger.js";

/** Advisory locks of sink leases live apart from the store's other (single-key) locks. */
const SINK_LOCK_CLASS = 0x5e4c;

/**
 * Which summary sinks this store delivers. Workers sharing one database would each deliver every
 * record, so a sink belongs to one worker at a time: a session advisory lock per (schema, sink) on a
 * connection of its own. A worker that dies loses its connection and so its leases; another takes
 * them over at its next read.
 */
export interface SinkLease {
  /** Whether this store delivers `sink`'s records, taking the lease when it is free. */
  holds(sink: string): Promise<boolean>;
  close(): Promise<void>;
}

export function createSinkLease(pool: pg.Pool, schema: string, logger: Logger): SinkLease {
  let client: pg.PoolClient | null = null;
  const held = new Set<string>();

  const connection = async (): Promise<pg.PoolClient> => {
    if (client !== null) return client;
    const fresh = await pool.connect();
    // Leases end with the connection: drop them, and take them again (if still free) on a new one.
    fresh.on("error", (error) => {
      logger.warn({ err: error, sinks: [...held] }, "lost the connection holding the summary sink leases");
      held.clear();
      if (client === fresh) client = null;
      fresh.release(true);
    });
    client = fresh;
    return fresh;
  };

  return {
    async holds(sink) {
      if (held.has(sink)) return true;
      const result = await (await connection()).query<{ ok: boolean }>(
        "SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok",
        [SINK_LOCK_CLASS, `${schema}:${sink}`],
      );
      if (result.rows[0]?.ok !== true) return false;
      held.add(sink);
      logger.info({ sink }, "this worker delivers the sink's summaries");
      return true;
    },
    async close() {
      held.clear();
      const closing = client;
      client = null;
      if (closing === null) return;
      try {
        // Unlocked before the connection goes: the server frees a dropped session's locks only once
        // it has noticed the disconnect, and another worker asking in between would be refused.
        await closing.query("SELECT pg_advisory_unlock_all()");
      } catch (error) {
        logger.warn({ err: error }, "could not release the summary sink leases; they go with the connection");
      }
      // Destroyed, not returned to the pool: no later user of the connection may inherit a lease.
      closing.release(true);
    },
  };
}
