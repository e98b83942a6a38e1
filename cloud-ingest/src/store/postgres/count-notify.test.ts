import pg from "pg";
import { afterEach, beforeEach, expect, it } from "vitest";
import type { CountChange } from "../../counts/count-feed.js";
import { campusTopology, crossing, laneRead, T0 } from "../../counts/test-support/count-fixtures.js";
import { createSilentLogger } from "../../logging/create-logger.js";
import { parsePostgresUrl } from "./connect.js";
import { countChannel, createCountNotify } from "./count-notify.js";
import { createPostgresStore, type PostgresStore } from "./postgres-store.js";
import { createTestSchema, describePostgres, type TestSchema } from "./test-support/test-database.js";

const PROBE = "probe-space";
let schema: TestSchema;
let other: TestSchema;
const opened: PostgresStore[] = [];
const open = async (url = schema.url) => {
  const store = await createPostgresStore({ url, topology: campusTopology(), logger: createSilentLogger() });
  opened.push(store);
  return store;
};

/**
 * Every change a store's feed publishes, from once its store listens: a probe notification is sent
 * on the schema's channel until the feed carries one (probes are not kept).
 */
async function listen(store: PostgresStore, url = schema.url): Promise<CountChange[]> {
  const seen: CountChange[] = [];
  let probed = false;
  store.subscribeCounts((changes) => {
    for (const heard of changes) {
      if (heard.space === PROBE) probed = true;
      else seen.push(heard);
    }
  });
  const target = parsePostgresUrl(url);
  const client = new pg.Client({ connectionString: target.connectionString });
  await client.connect();
  try {
    const probe = JSON.stringify({ origin: "probe", changes: [change(PROBE, 0)] });
    await until(
      () => probed,
      "the store to listen",
      async () => {
        await client.query("SELECT pg_notify($1, $2)", [countChannel(target.schema), probe]);
      },
    );
  } finally {
    await client.end();
  }
  return seen;
}

async function until(condition: () => boolean, what: string, meanwhile?: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await meanwhile?.();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 300));
const spaces = (changes: readonly CountChange[]) =>
  changes.map((change) => `${change.space}=${change.count}`);

beforeEach(() => {
  schema = createTestSchema();
  other = createTestSchema();
});
afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
  await schema.drop();
  await other.drop();
});

describePostgres("count changes between workers sharing a schema", () => {
  it("reach the streams of every worker, once each, and not those of another schema", async () => {
    const [a, b, elsewhere] = await Promise.all([open(), open(), open(other.url)]);
    const [seenByA, seenByB, seenElsewhere] = await Promise.all([
      listen(a),
      listen(b),
      listen(elsewhere, other.url),
    ]);
    await a.insertBatch("gw-1", [laneRead(1, 0, "gate-in")], T0 + 60_000);
    await b.insertBatch("gw-2", [crossing(1, 1000, "main", 1)], T0 + 60_000);
    const all = ["garage=1", "floor-1=1", "building=1"];
    await until(
      () => seenByA.length >= all.length && seenByB.length >= all.length,
      "every change on both streams",
    );
    await settle();
    expect(spaces(seenByA).sort()).toEqual([...all].sort());
    expect(spaces(seenByB).sort()).toEqual([...all].sort());
    expect(seenElsewhere).toEqual([]);
  });

  it("sends a commit's changes in notifications under PostgreSQL's 8,000-byte limit, none lost", async () => {
    const target = parsePostgresUrl(schema.url);
    const heard: CountChange[] = [];
    const listener = createCountNotify(target, {
      logger: createSilentLogger(),
      publish: (c) => heard.push(...c),
    });
    const sender = createCountNotify(target, { logger: createSilentLogger(), publish: () => {} });
    const client = new pg.Client({ connectionString: target.connectionString });
    try {
      await listener.listen();
      await client.connect();
      // A site of 300 spaces: ~60,000 bytes of changes in one commit.
      const changes = Array.from({ length: 300 }, (_, i) => change(`space-${i}`, i));
      await client.query("BEGIN");
      await sender.send(client, changes);
      await client.query("COMMIT");
      await until(() => heard.length >= changes.length, "all 300 changes");
      expect(heard).toEqual(changes);
    } finally {
      await client.end();
      await listener.close();
      await sender.close();
    }
  });
});

function change(space: string, count: number): CountChange {
  return {
    site: "campus",
    space,
    source: "flow",
    count,
    rawCount: count,
    clamped: false,
    capacity: null,
    free: null,
    at: new Date(T0).toISOString(),
  };
}
