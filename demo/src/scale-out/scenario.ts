import type { LotwatchEvent } from "@lotwatch/protocol/events.js";
import { newEventId } from "@lotwatch/protocol/ids.js";
import { generateAnprReads } from "@lotwatch/simulators/anpr/scenario.js";
import { createRandom } from "@lotwatch/simulators/random/random.js";

/** One MQTT message of the replay: a gateway's batch, its events in seq order. */
export interface Batch {
  site: string;
  gateway: string;
  events: LotwatchEvent[];
}

export interface ScaleOutScenario {
  /** YAML topology of every site. */
  topology: string;
  sites: string[];
  spaces: string[];
  /** In publishing order: gateways interleaved at random, each gateway's batches in seq order. */
  batches: Batch[];
  events: number;
  /** First and last event time, for count-at-time comparisons. */
  from: number;
  to: number;
}

export interface ScenarioOptions {
  seed: number;
  /** Site ids are `{prefix}-{n}`, gateways `{site}-in|out|aux`: unique per run on a shared broker. */
  prefix: string;
  sites: number;
  /** Vehicle reads per site. */
  reads: number;
  /** Events per envelope. */
  batchSize: number;
}

const T0 = Date.parse("2026-11-22T06:00:00.000Z");
const SLOTS = ["a1", "a2", "a3", "a4"];
export const SPACES = ["lot", "zone-a", "lobby"];

/**
 * Sites whose entry camera, exit camera and door/bay sensors sit on three gateways, so a plate's
 * entry and exit reach the ingest on different gateways (and, behind a shared subscription, often
 * different workers at the same time). Reads come in at 1 per simulated 20 s with repeats within
 * the debounce window and unmatched exits (simulators' ANPR scenario); doors and bays in between.
 */
export function generateScaleOutScenario(options: ScenarioOptions): ScaleOutScenario {
  const random = createRandom(options.seed);
  const sites: string[] = [];
  const perGateway: Batch[][] = [];
  let events = 0;
  let to = T0;
  for (let i = 0; i < options.sites; i++) {
    const site = `${options.prefix}-${i}`;
    sites.push(site);
    const streams = new Map<string, LotwatchEvent[]>();
    const add = (gateway: string, draft: Record<string, unknown>) => {
      const list = streams.get(gateway) ?? [];
      streams.set(gateway, list);
      list.push({ id: newEventId(), seq: list.length + 1, site, ...draft } as LotwatchEvent);
    };
    for (const read of generateAnprReads({
      seed: options.seed * 1000 + i,
      count: options.reads,
      startAt: T0,
      rate: 0.05,
    })) {
      const gateway = `${site}-${read.type === "vehicle.entry" ? "in" : "out"}`;
      add(gateway, { ...read });
      // A camera that reads the same plate twice within the debounce window.
      if (random.chance(0.05)) add(gateway, { ...read, occurredAt: shift(read.occurredAt, 5000) });
      const at = Date.parse(read.occurredAt);
      to = Math.max(to, at);
      if (random.chance(0.4)) {
        add(`${site}-aux`, {
          type: "door.crossing",
          door: "door-1",
          direction: random.chance(0.6) ? 1 : -1,
          occurredAt: shift(read.occurredAt, 3000),
        });
      }
      if (random.chance(0.2)) {
        add(`${site}-aux`, {
          type: "slot.state",
          slot: SLOTS[random.int(0, SLOTS.length - 1)],
          occupied: random.chance(0.5),
          occurredAt: shift(read.occurredAt, 7000),
        });
      }
    }
    for (const [gateway, list] of streams) {
      events += list.length;
      const batches: Batch[] = [];
      for (let k = 0; k < list.length; k += options.batchSize) {
        batches.push({ site, gateway, events: list.slice(k, k + options.batchSize) });
      }
      perGateway.push(batches);
    }
  }
  return {
    topology: topologyOf(sites),
    sites,
    spaces: SPACES,
    batches: interleave(perGateway, random),
    events,
    from: T0,
    to,
  };
}

function shift(iso: string, ms: number): string {
  return new Date(Date.parse(iso) + ms).toISOString();
}

/** Takes the next batch of a random gateway each time: each gateway's order stays, the rest mixes. */
function interleave(queues: Batch[][], random: ReturnType<typeof createRandom>): Batch[] {
  const pending = queues.map((queue) => [...queue]).filter((queue) => queue.length > 0);
  const out: Batch[] = [];
  while (pending.length > 0) {
    const index = random.int(0, pending.length - 1);
    const queue = pending[index] as Batch[];
    out.push(queue.shift() as Batch);
    if (queue.length === 0) pending.splice(index, 1);
  }
  return out;
}

function topologyOf(sites: string[]): string {
  const lines = ["sites:"];
  for (const site of sites) {
    lines.push(
      `  - id: ${site}`,
      "    spaces:",
      "      - { id: lot, capacity: 200, children: [ { id: zone-a, capacity: 4 } ] }",
      "      - { id: lobby }",
      "    lanes:",
      "      - { id: entry-1, space: lot, direction: in }",
      "      - { id: exit-1, space: lot, direction: out }",
      "    doors:",
      "      - { id: door-1, to: lobby }",
      "    slots:",
      ...SLOTS.map((slot) => `      - { id: ${slot}, space: zone-a }`),
      "    tariff: { freeMinutes: 15, perHour: 2.5, dailyMax: 20, currency: EUR }",
    );
  }
  return `${lines.join("\n")}\n`;
}
