import { ConfigError, LotwatchError } from "@lotwatch/protocol/errors.js";
import pg from "pg";

/** Where the store lives: a PostgreSQL URL and the schema its tables go in. */
export interface PostgresTarget {
  /** The URL without the `schema` parameter. */
  connectionString: string;
  schema: string;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** True for a `--db` value that names PostgreSQL rather than a SQLite file. */
export function isPostgresUrl(db: string): boolean {
  return /^postgres(ql)?:\/\//i.test(db);
}

/**
 * Reads `postgres://user@host:port/db?schema=NAME`; `schema` (default `public`) is ours, so several
 * ingests, or tests, can share one database.
 */
export function parsePostgresUrl(db: string): PostgresTarget {
  let url: URL;
  try {
    url = new URL(db);
  } catch (error) {
    throw new ConfigError("bad_db_url", `--db: "${redact(db)}" is not a valid postgres:// URL`, {
      cause: error,
    });
  }
  const schema = url.searchParams.get("schema") ?? "public";
  if (!SCHEMA_NAME.test(schema)) {
    throw new ConfigError(
      "bad_db_url",
      `--db: schema "${schema}" must be lower case letters, digits and _ (not starting with a digit)`,
    );
  }
  url.searchParams.delete("schema");
  return { connectionString: url.toString(), schema };
}

/** The URL without its password, for logs and errors. */
export function redact(db: string): string {
  return db.replace(/(\/\/[^:/@]*:)[^@]*@/, "$1***@");
}

// int8 as a JS number: every bigint column holds ms timestamps, seqs or counts, far below 2^53.
const types = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === pg.types.builtins.INT8
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format ?? "text")) as typeof pg.types.getTypeParser,
};

export interface PoolOptions {
  /** Connections; the ingest writes on one and answers REST reads on the others. Default 4. */
  max?: number;
}

/** A pool whose every connection works in the target's schema; the caller handles its "error" events. */
export function createPool(target: PostgresTarget, options: PoolOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: target.connectionString,
    max: options.max ?? 4,
    types,
    options: `-c search_path=${target.schema}`,
    connectionTimeoutMillis: 10_000,
  });
  return pool;
}

/** Wraps a failed first connection in an error that names the server. */
export function connectError(target: PostgresTarget, error: unknown): LotwatchError {
  return new LotwatchError(
    "store_open_failed",
    `cannot connect to PostgreSQL at ${redact(target.connectionString)}: ${String((error as Error)?.message ?? error)}`,
    { cause: error },
  );
}
