import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LotwatchEvent } from "@lotwatch/protocol/events.js";
import { buildTopic } from "@lotwatch/protocol/topics.js";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "./api/app.js";
import { createMessageHandler } from "./ingest/handle-message.js";
import { createSilentLogger } from "./logging/create-logger.js";
import { createSqliteStore } from "./store/sqlite/sqlite-store.js";
import type { Store } from "./store/store.js";
import {
  GATEWAYS,
  MIN,
  PARK_TOPOLOGY,
  type Sent,
  SITE,
  SPACES,
  scenarioArb,
  T0,
} from "./test-support/park-scenario.js";
import { createTopologyIndex } from "./topology/topology-index.js";

/**
 * DESIGN.md "Order independence": sessions, counts now and at any time, and history depend only on
 * the set of events. Generated scenarios (entries, 80/20 matched exits, confusable misreads, double
 * reads, missed entries and exits, door crossings, bay changes, resends of the same gateway+seq) go
 * through the real message handler as envelopes into real SQLite files, once in order and once
 * shuffled, re-batched and interleaved across gateways; every answer must be the same.
 */

/** The ingest's clock and every envelope's sentAt: no measured offset moves any stamp. */
const NOW = T0 + 24 * 60 * MIN;

type Delivery = typeof deliveryArb extends fc.Arbitrary<infer T> ? T : never;

/** The events again (some twice: a resend of the same gateway+seq), shuffled and cut into batches. */
const deliveryArb = scenarioArb.chain((events) =>
  fc.record({
    events: fc.constant(events),
    resends: fc.array(fc.nat(events.length - 1), { maxLength: 6 }),
    order: fc.shuffledSubarray(
      events.map((_, i) => i),
      { minLength: events.length, maxLength: events.length },
    ),
    batchSizes: fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 20 }),
  }),
);

/** Each batch becomes one envelope per gateway, in the order the gateways first appear in it. */
function envelopes(batches: Sent[][]): { topic: string; payload: Buffer }[] {
  return batches.flatMap((batch) => {
    const byGateway = new Map<string, LotwatchEvent[]>();
    for (const { gateway, event } of batch)
      byGateway.set(gateway, [...(byGateway.get(gateway) ?? []), event]);
    return [...byGateway].map(([gateway, events]) => ({
      topic: buildTopic(SITE, gateway, "events"),
      payload: Buffer.from(
        JSON.stringify({
          v: 1,
          gateway,
          sentAt: new Date(NOW).toISOString(),
          bootId: `boot-${gateway}`,
          uptimeMs: 3_600_000,
          events,
        }),
      ),
    }));
  });
}

function shuffled(delivery: Delivery): Sent[][] {
  const { events, resends, order, batchSizes } = delivery;
  const sequence = order.map((i) => events[i] as Sent);
  // A resend arrives somewhere after its first sending, as after a lost PUBACK.
  resends.forEach((i, k) => {
    const first = sequence.indexOf(events[i] as Sent);
    const position = Math.min(sequence.length, first + 1 + ((k * 7) % (sequence.length - first)));
    sequence.splice(position, 0, events[i] as Sent);
  });
  const batches: Sent[][] = [];
  for (let start = 0, b = 0; start < sequence.length; b++) {
    const size = batchSizes[b % batchSizes.length] ?? 1;
    batches.push(sequence.slice(start, start + size));
    start += size;
  }
  return batches;
}

let dir: string;
let runs = 0;
const logger = createSilentLogger();
const topology = createTopologyIndex(PARK_TOPOLOGY);
/** What the generated scenarios produced over all runs, so a weak generator shows. */
const seen = new Set<string>();

// Real SQLite files, on tmpfs when there is one: every commit fsyncs (synchronous = FULL).
beforeAll(() => {
  dir = mkdtempSync(join(existsSync("/dev/shm") ? "/dev/shm" : tmpdir(), "lotwatch-order-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Times around every event (just before, at, just after) and on a coarse grid. */
function probeTimes(events: Sent[]): number[] {
  const times = new Set<number>();
  for (const { event } of events) {
    const t = Date.parse(event.occurredAt);
    times
      .add(t - 1)
      .add(t)
      .add(t + 1);
  }
  for (let t = T0 - MIN; t <= T0 + 14 * 60 * MIN; t += 45 * MIN) times.add(t);
  return [...times].sort((a, b) => a - b);
}

/** Everything the ingest answers about the site, after delivering `messages` through the handler. */
async function ingest(messages: { topic: string; payload: Buffer }[], times: number[]) {
  const store: Store = createSqliteStore({ path: join(dir, `run-${++runs}.db`), topology, logger });
  try {
    const handler = createMessageHandler({ store, now: () => NOW, logger });
    let duplicates = 0;
    for (const { topic, payload } of messages) {
      const result = await handler.handleMessage(topic, payload);
      expect(result.kind).toBe("events");
      expect(result.rejected).toBe(0);
      duplicates += result.duplicates;
    }
    const app = createApp({ store, topology, logger, now: () => NOW });
    const current = new Map((await store.currentCounts(SITE)).map((row) => [row.space, row.reading]));
    const spaces: Record<string, unknown> = {};
    for (const space of SPACES) {
      const history = await app.request(
        `/v1/sites/${SITE}/spaces/${space}/history?from=${new Date(T0 - MIN).toISOString()}&to=${new Date(T0 + 14 * 60 * MIN).toISOString()}&step=10m`,
      );
      expect(history.status).toBe(200);
      spaces[space] = {
        now: current.get(space) ?? { count: 0, rawCount: 0, clamped: false },
        at: await store.countsAt(SITE, space, times),
        history: await history.json(),
      };
    }
    const sessions = (await store.listSessions(SITE, { limit: 1000 })).sessions;
    const { events } = await store.totals();
    return { answers: { sessions, spaces, slots: await store.listSlots(SITE), events }, duplicates };
  } finally {
    await store.close();
  }
}

function note(answers: Awaited<ReturnType<typeof ingest>>["answers"]) {
  for (const session of answers.sessions) seen.add(`${session.status}/${session.matchedBy}`);
  for (const space of Object.values(answers.spaces) as { at: { clamped: boolean }[] }[]) {
    if (space.at.some((reading) => reading.clamped)) seen.add("clamped");
  }
}

describe("order independence across sessions, counts and history", () => {
  it("gives identical answers for every order, batching, gateway interleaving and resend", async () => {
    await fc.assert(
      fc.asyncProperty(deliveryArb, async (delivery) => {
        const times = probeTimes(delivery.events);
        const inOrder = GATEWAYS.map((gateway) => delivery.events.filter((sent) => sent.gateway === gateway));
        const reference = await ingest(envelopes(inOrder.filter((batch) => batch.length > 0)), times);
        const other = await ingest(envelopes(shuffled(delivery)), times);
        expect(other.answers).toEqual(reference.answers);
        expect(reference.answers.events).toBe(delivery.events.length);
        expect(other.duplicates).toBe(delivery.resends.length);
        note(reference.answers);
      }),
      { numRuns: 40 },
    );
    for (const kind of ["closed/exact", "closed/fuzzy", "unmatched/null", "open/null", "clamped"]) {
      expect(seen).toContain(kind);
    }
  }, 120_000);
});
