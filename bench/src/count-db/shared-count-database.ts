import { join } from "node:path";
import { createSilentLogger } from "@lotwatch/cloud-ingest/logging/create-logger.js";
import { startIngest } from "@lotwatch/cloud-ingest/run/start-ingest.js";
import type { BenchContext } from "../harness/types.js";
import { writeCampusTopology } from "./campus-topology.js";
import { type CountDatabase, createCountDatabase } from "./count-database.js";

const KEY = "count-database";

/** The run's count database, created on first use and grown by whichever benchmark needs more. */
export async function sharedCountDatabase(context: BenchContext): Promise<CountDatabase> {
  const existing = context.shared.get(KEY) as Promise<CountDatabase> | undefined;
  if (existing !== undefined) return existing;
  const created = createCountDatabase(
    join(context.runDir, "counts.db"),
    writeCampusTopology(join(context.runDir, "campus-topology.json")),
  );
  context.shared.set(KEY, created);
  return created;
}

/** A real ingest (`startIngest`, in this process) serving the database's REST API on a free port. */
export function serveCountDatabase(database: CountDatabase) {
  return startIngest(
    {
      topologyPath: database.topologyPath,
      dbPath: database.path,
      host: "127.0.0.1",
      httpPort: 0,
      mqttPort: 0,
      insecure: false,
    },
    { logger: createSilentLogger() },
  );
}

export interface CountQuery {
  space: string;
  atMs: number;
  /** The REST path that asks the same. */
  path: string;
}

/** `n` count-at questions for random spaces and times within the stored events. */
export function countQueries(database: CountDatabase, n: number, random: () => number): CountQuery[] {
  const { fromMs, toMs } = database.timeRange();
  return Array.from({ length: n }, () => {
    const space = database.spaces[Math.floor(random() * database.spaces.length)] as string;
    const atMs = fromMs + Math.floor(random() * (toMs - fromMs));
    const path = `/v1/sites/${database.site}/spaces/${space}/count?at=${new Date(atMs).toISOString()}`;
    return { space, atMs, path };
  });
}
