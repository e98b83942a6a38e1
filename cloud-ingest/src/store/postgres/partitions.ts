import type pg from "pg";
import type { Sql } from "./sql.js";

/** A month of `received_at` (UTC), the unit `events` is partitioned and retention drops by. */
export interface Month {
  name: string;
  from: number;
  to: number;
}

export function monthOf(ms: number): Month {
  const date = new Date(ms);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth();
  return {
    name: `events_${year}_${String(month + 1).padStart(2, "0")}`,
    from: Date.UTC(year, month, 1),
    to: Date.UTC(year, month + 1, 1),
  };
}

const PARTITION_LOCK = 0x6c6f7470;

/**
 * The monthly partitions of `events`: created before the first insert that needs one (and the next
 * month ahead, so a month's first batch does not wait for DDL), and dropped whole by retention.
 */
export interface Partitions {
  /** Makes sure the partition for `receivedAt` exists (cached: one check per month and process). */
  ensure(receivedAt: number): Promise<void>;
  /**
   * Drops the partitions that ended before `cutoff` and deletes the other rows older than it
   * (event keys, rejections, count-timeline rows but each stream's latest). Returns what it dropped.
   */
  expire(cutoff: number): Promise<{ partitions: string[]; rows: number }>;
}

export function createPartitions(pool: pg.Pool): Partitions {
  const known = new Set<string>();
  const create = async (month: Month) => {
    const client = await pool.connect();
    try {
      await client.query("BEGIN");
      // Two workers creating the same partition at once would collide; the lock makes it a no-op.
      await client.query("SELECT pg_advisory_xact_lock($1)", [PARTITION_LOCK]);
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${month.name} PARTITION OF events FOR VALUES FROM (${month.from}) TO (${month.to})`,
      );
      await client.query("COMMIT");
      known.add(month.name);
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  };
  return {
    async ensure(receivedAt) {
      const month = monthOf(receivedAt);
      if (known.has(month.name)) return;
      await create(month);
      await create(monthOf(month.to));
    },
    async expire(cutoff) {
      const partitions = await listPartitions(pool);
      const dropped: string[] = [];
      for (const partition of partitions) {
        if (partition.to > cutoff) continue;
        await pool.query(`DROP TABLE IF EXISTS ${partition.name}`);
        known.delete(partition.name);
        dropped.push(partition.name);
      }
      let rows = 0;
      rows += (await pool.query("DELETE FROM event_keys WHERE received_at < $1", [cutoff])).rowCount ?? 0;
      rows += (await pool.query("DELETE FROM rejected WHERE received_at < $1", [cutoff])).rowCount ?? 0;
      // A stream's latest row carries its running total (the next row's base), so it stays.
      rows +=
        (
          await pool.query(
            `DELETE FROM count_timeline c WHERE t < $1 AND EXISTS (
               SELECT 1 FROM count_timeline n
               WHERE n.site = c.site AND n.space = c.space AND n.source = c.source
                 AND (n.t, n.gateway, n.seq) > (c.t, c.gateway, c.seq))`,
            [cutoff],
          )
        ).rowCount ?? 0;
      return { partitions: dropped, rows };
    },
  };
}

interface PartitionRow {
  name: string;
  bound: string;
}

/** The partitions of `events` in the current schema with their upper bound (ms). */
export async function listPartitions(sql: Sql): Promise<{ name: string; to: number }[]> {
  const rows = (
    await sql.query<PartitionRow>(`
      SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound
      FROM pg_inherits i
      JOIN pg_class c ON c.oid = i.inhrelid
      JOIN pg_class p ON p.oid = i.inhparent
      WHERE p.relname = 'events' AND p.relnamespace = current_schema()::regnamespace
      ORDER BY c.relname`)
  ).rows;
  return rows.map((row) => ({ name: row.name, to: Number(/TO \('?(-?\d+)'?\)/.exec(row.bound)?.[1]) }));
}
