import type { LotwatchEvent } from "@lotwatch/protocol/events.js";
import { newEventId } from "@lotwatch/protocol/ids.js";
import fc from "fast-check";
import { parseTopology } from "../topology/load-topology.js";

/**
 * Generated traffic of one site with every kind of source: entries and exits (80/20 matched, some
 * exits missed), confusable misreads, double reads, door crossings and bay changes, spread over
 * three gateways that each number their events in time order.
 */

/** An event as one gateway sent it. */
export interface Sent {
  gateway: string;
  event: LotwatchEvent;
}

export const SITE = "park";
export const PARK_TOPOLOGY = parseTopology(
  `
sites:
  - id: ${SITE}
    spaces:
      - id: garage
        capacity: 300
        children:
          - id: deck-1
            capacity: 120
            children: [ { id: zone-a, capacity: 3 }, { id: zone-b, capacity: 2 } ]
      - { id: yard, countFrom: slots }
      - id: mall
        children: [ { id: shop-1, capacity: 20 }, { id: shop-2 } ]
    lanes:
      - { id: gate-in, space: garage, direction: in }
      - { id: gate-out, space: garage, direction: out }
      - { id: deck-in, space: deck-1, direction: in }
      - { id: deck-out, space: deck-1, direction: out }
      - { id: yard-in, space: yard, direction: in }
      - { id: yard-out, space: yard, direction: out }
    doors:
      - { id: main, to: mall }
      - { id: shops, from: shop-1, to: shop-2 }
      - { id: shop-2-street, from: shop-2 }
    slots:
      - { id: a1, space: zone-a }
      - { id: a2, space: zone-a }
      - { id: a3, space: zone-a }
      - { id: b1, space: zone-b }
      - { id: y1, space: yard }
    tariff: { freeMinutes: 15, perHour: 2.5, dailyMax: 20, currency: EUR }
`,
  "park.yaml",
);
export const SPACES = ["garage", "deck-1", "zone-a", "zone-b", "yard", "mall", "shop-1", "shop-2"];
export const GATEWAYS = ["gw-north", "gw-south", "gw-mall"];
export const T0 = Date.parse("2026-11-22T08:00:00.000Z");
export const MIN = 60_000;
/** Plates one confusable character apart, so exact, fuzzy and no matches all happen. */
const PLATES = ["KA01AB1234", "KA0IAB1234", "KA01A81234", "MH12XY0001", "MH12XYOOO1", "DL3C0042"];
const CONFUSE: Record<string, string> = { "0": "O", O: "0", "1": "I", I: "1", "8": "B", B: "8", "2": "Z" };
const LANE_PAIRS = [
  ["gate-in", "gate-out"],
  ["deck-in", "deck-out"],
  ["yard-in", "yard-out"],
] as const;

type Reading =
  | { type: "vehicle.entry" | "vehicle.exit"; lane: string; plate: string }
  | { type: "door.crossing"; door: string; direction: 1 | -1; count?: number }
  | { type: "slot.state"; slot: string; occupied: boolean };

interface Draft {
  at: number;
  gateway: number;
  reading: Reading;
}

const gatewayArb = fc.nat(GATEWAYS.length - 1);
/** Minutes and a few distinct seconds: many reads share an instant, so tie-breaks matter. */
const timeArb = fc.record({ minute: fc.nat(8 * 60), second: fc.constantFrom(0, 0, 10, 30) });
const at = ({ minute, second }: { minute: number; second: number }) => T0 + minute * MIN + second * 1000;

const visitArb = fc.record({
  kind: fc.oneof(
    { weight: 8, arbitrary: fc.constant("matched" as const) },
    { weight: 2, arbitrary: fc.constant("unmatched-exit" as const) },
    { weight: 2, arbitrary: fc.constant("missed-exit" as const) },
  ),
  plate: fc.nat(PLATES.length - 1),
  lanes: fc.nat(LANE_PAIRS.length - 1),
  entry: timeArb,
  stayMinutes: fc.integer({ min: 0, max: 5 * 60 }),
  misreadAt: fc.option(fc.nat(9), { freq: 3 }),
  doubleEntry: fc.option(fc.integer({ min: 1, max: 45 }), { freq: 4 }),
  doubleExit: fc.option(fc.integer({ min: 1, max: 45 }), { freq: 4 }),
  gateways: fc.tuple(gatewayArb, gatewayArb),
});

const crossingArb = fc.record({
  at: timeArb,
  gateway: gatewayArb,
  door: fc.constantFrom("main", "shops", "shop-2-street"),
  direction: fc.constantFrom(1 as const, -1 as const),
  count: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
});

const slotArb = fc.record({
  at: timeArb,
  gateway: gatewayArb,
  slot: fc.constantFrom("a1", "a2", "a3", "b1", "y1"),
  occupied: fc.boolean(),
});

type Visit = typeof visitArb extends fc.Arbitrary<infer T> ? T : never;

function misread(plate: string, position: number): string {
  for (let i = 0; i < plate.length; i++) {
    const index = (position + i) % plate.length;
    const swap = CONFUSE[plate[index] as string];
    if (swap !== undefined) return plate.slice(0, index) + swap + plate.slice(index + 1);
  }
  return plate;
}

function visitDrafts(visit: Visit): Draft[] {
  const plate = PLATES[visit.plate] as string;
  const [entryLane, exitLane] = LANE_PAIRS[visit.lanes] ?? LANE_PAIRS[0];
  const entryAt = at(visit.entry);
  const exitAt = entryAt + visit.stayMinutes * MIN;
  const exitPlate = visit.misreadAt === null ? plate : misread(plate, visit.misreadAt);
  const [entryGateway, exitGateway] = visit.gateways;
  const drafts: Draft[] = [];
  const read = (type: "vehicle.entry" | "vehicle.exit", time: number, lane: string, p: string, gw: number) =>
    drafts.push({ at: time, gateway: gw, reading: { type, lane, plate: p } });
  if (visit.kind !== "unmatched-exit") {
    read("vehicle.entry", entryAt, entryLane, plate, entryGateway);
    if (visit.doubleEntry !== null)
      read("vehicle.entry", entryAt + visit.doubleEntry * 1000, entryLane, plate, entryGateway);
  }
  if (visit.kind !== "missed-exit") {
    read("vehicle.exit", exitAt, exitLane, exitPlate, exitGateway);
    if (visit.doubleExit !== null)
      read("vehicle.exit", exitAt + visit.doubleExit * 1000, exitLane, exitPlate, exitGateway);
  }
  return drafts;
}

/** Events with per-gateway seqs in time order, as each gateway would have stamped them. */
function toEvents(drafts: Draft[]): Sent[] {
  const seqs = GATEWAYS.map(() => 0);
  return [...drafts]
    .sort((a, b) => a.at - b.at)
    .map((draft) => {
      const gateway = GATEWAYS[draft.gateway] as string;
      seqs[draft.gateway] = (seqs[draft.gateway] ?? 0) + 1;
      const event = {
        id: newEventId(),
        seq: seqs[draft.gateway],
        site: SITE,
        occurredAt: new Date(draft.at).toISOString(),
        ...draft.reading,
      } as LotwatchEvent;
      return { gateway, event };
    });
}

export const scenarioArb = fc
  .record({
    visits: fc.array(visitArb, { maxLength: 10 }),
    crossings: fc.array(crossingArb, { maxLength: 12 }),
    slots: fc.array(slotArb, { maxLength: 12 }),
  })
  .map(({ visits, crossings, slots }) =>
    toEvents([
      ...visits.flatMap(visitDrafts),
      ...crossings.map(({ at: time, gateway, door, direction, count }) => ({
        at: at(time),
        gateway,
        reading: {
          type: "door.crossing" as const,
          door,
          direction,
          ...(count === undefined ? {} : { count }),
        },
      })),
      ...slots.map(({ at: time, gateway, slot, occupied }) => ({
        at: at(time),
        gateway,
        reading: { type: "slot.state" as const, slot, occupied },
      })),
    ]),
  )
  .filter((events) => events.length > 0);
