import pg from "pg";
import { afterEach, beforeEach, expect, it } from "vitest";
import { T0 as COUNT_T0, campusTopology, laneRead } from "../../counts/test-support/count-fixtures.js";
import { createSilentLogger } from "../../logging/create-logger.js";
import { at, createTempDir, T0, testTopology, vehicle } from "../../test-support/fixtures.js";
import { createSqliteStore } from "../sqlite/sqlite-store.js";
import { parsePostgresUrl } from "./connect.js";
import { PG_MIGRATIONS } from "./migrations.js";
import { listPartitions } from "./partitions.js";
import { createPostgresStore, type PostgresStore } from "./postgres-store.js";
import { createTestSchema, describePostgres, type TestSchema } from "./test-support/test-database.js";

const DAY = 86_400_000;
let schema: TestSchema;
const opened: PostgresStore[] = [];
const open = async (options: { retentionDays?: number; topology?: ReturnType<typeof testTopology> } = {}) => {
  const store = await createPostgresStore({
    url: schema.url,
    topology: options.topology ?? testTopology(),
    logger: createSilentLogger(),
    retentionDays: options.retentionDays,
  });
  opened.push(store);
  return store;
};

/** A plain connection to the test's schema, to look at the tables. */
async function inSchema<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const target = parsePostgresUrl(schema.url);
  const client = new pg.Client({
    connectionString: target.connectionString,
    options: `-c search_path=${target.schema}`,
  });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

beforeEach(() => {
  schema = createTestSchema();
});
afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
  await schema.drop();
});

describePostgres("PostgreSQL store", () => {
  it("runs each migration once across reopens and by two ingests starting together", async () => {
    await Promise.all([open(), open()]);
    await open();
    const versions = await inSchema(
      async (c) => (await c.query("SELECT version FROM schema_migrations")).rows,
    );
    expect(versions).toEqual(PG_MIGRATIONS.map((m) => ({ version: m.version })));
  });

  it("refuses a database from a newer ingest", async () => {
    await (await open()).close();
    await inSchema((c) => c.query("INSERT INTO schema_migrations VALUES (999, 'future', 0)"));
    await expect(open()).rejects.toThrow(/schema version 999/);
  });

  it("stores events in the partition of the month they were received, and retention drops whole months", async () => {
    const store = await open({ retentionDays: 30 });
    const old = Date.parse("2026-01-15T00:00:00Z");
    await store.insertBatch("gw-1", [vehicle("vehicle.entry", "entry-1", 1, at(0))], old);
    await store.insertBatch("gw-1", [vehicle("vehicle.entry", "entry-1", 2, at(1000))], T0);
    const names = (await inSchema(listPartitions)).map((p) => p.name);
    expect(names).toEqual(expect.arrayContaining(["events_2026_01", "events_2026_11"]));
    const expired = await store.expire(T0 + 30 * DAY);
    expect(expired.partitions).toEqual(expect.arrayContaining(["events_2026_01"]));
    expect(expired.partitions).not.toContain("events_2026_11");
    expect(await store.getEvent("gw-1", 1)).toBeNull();
    expect((await store.getEvent("gw-1", 2))?.event.seq).toBe(2);
    // Counts are a rollup and outlive the raw events: the current count keeps both entries.
    expect((await store.countAt("mall-a", "lot", T0 + 2000)).count).toBe(2);
  });

  it("orders events at the same instant by gateway bytewise, as SQLite does, whatever the database's collation", async () => {
    const store = await open({ topology: campusTopology() });
    await store.insertBatch("gw-a", [laneRead(1, 0, "gate-in")], COUNT_T0 + 999_000);
    await store.insertBatch("gw-B", [laneRead(1, 0, "gate-out")], COUNT_T0 + 999_000);
    const rows = await inSchema(
      async (c) =>
        (
          await c.query(
            "SELECT gateway, cum FROM count_timeline WHERE space = 'garage' ORDER BY t, gateway, seq",
          )
        ).rows,
    );
    expect(rows).toEqual([
      { gateway: "gw-B", cum: "-1" },
      { gateway: "gw-a", cum: "0" },
    ]);
  });

  it("counts a seq repeated inside one batch once, as a duplicate", async () => {
    const store = await open();
    const event = vehicle("vehicle.entry", "entry-1", 1, at(0));
    expect(await store.insertBatch("gw-1", [event, event], T0)).toMatchObject({ inserted: 1, duplicates: 1 });
    expect((await store.countAt("mall-a", "lot", T0)).count).toBe(1);
  });

  it("lets one of two workers on a database deliver a sink's summaries, and another take over when it closes", async () => {
    const [one, two] = await Promise.all([open(), open()]);
    await one.insertBatch("gw-1", [vehicle("vehicle.entry", "entry-1", 1, at(0), { plate: "KA01" })], T0);
    await two.insertBatch("gw-1", [vehicle("vehicle.exit", "exit-1", 2, at(60_000), { plate: "KA01" })], T0);

    const delivered = await one.readOutbox("webhook", 10);
    expect(delivered.map((record) => record.status)).toEqual(["closed"]);
    expect(await two.readOutbox("webhook", 10)).toEqual([]);
    // Leases are per sink: the other sink is still free.
    expect(await two.readOutbox("file", 10)).toEqual(delivered);
    expect(await one.readOutbox("file", 10)).toEqual([]);

    await one.close();
    expect(await two.readOutbox("webhook", 10)).toEqual(delivered);
  });

  it("gives two stores writing the same site and plates at once the result of one store fed in order", async () => {
    const [one, two] = await Promise.all([open(), open()]);
    const plate = (n: number) => `KA01AB${String(n % 7).padStart(4, "0")}`;
    const batches = Array.from({ length: 40 }, (_, b) => {
      const gateway = b % 2 === 0 ? "gw-in" : "gw-out";
      const type = b % 2 === 0 ? "vehicle.entry" : "vehicle.exit";
      const lane = b % 2 === 0 ? "entry-1" : "exit-1";
      const seq0 = Math.floor(b / 2) * 5;
      return {
        gateway,
        events: Array.from({ length: 5 }, (_, i) =>
          vehicle(type, lane, seq0 + i + 1, at((seq0 + i) * 60_000 + (b % 2) * 30 * 60_000), {
            plate: plate(seq0 + i),
          }),
        ),
      };
    });
    // Each store takes every other batch, both at once: entries and exits of the same plates race.
    await Promise.all(
      [one, two].map(async (store, w) => {
        for (const [b, batch] of batches.entries()) {
          if (b % 2 === w) await store?.insertBatch(batch.gateway, batch.events, T0);
        }
      }),
    );
    const dir = createTempDir();
    const reference = createSqliteStore({
      path: dir.file("ref.db"),
      topology: testTopology(),
      logger: createSilentLogger(),
    });
    try {
      for (const batch of batches) await reference.insertBatch(batch.gateway, batch.events, T0);
      const answer = async (store: typeof reference) => ({
        sessions: (await store.listSessions("mall-a", { limit: 1000 })).sessions,
        counts: await store.countsAt("mall-a", "lot", [T0, T0 + 30 * 60_000, T0 + 60 * 60_000, T0 + DAY]),
      });
      const expected = await answer(reference);
      expect(expected.sessions.some((s) => s.status === "closed")).toBe(true);
      expect(await answer(one as PostgresStore)).toEqual(expected);
    } finally {
      await reference.close();
      dir.remove();
    }
  });
});
