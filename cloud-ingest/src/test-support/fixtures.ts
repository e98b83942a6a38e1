import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LotwatchEvent } from "@lotwatch/protocol/events.js";
import { newEventId } from "@lotwatch/protocol/ids.js";
import { parseTopology } from "../topology/load-topology.js";
import { createTopologyIndex, type TopologyIndex } from "../topology/topology-index.js";

/** DESIGN.md's example site: lot > level-1 > zone-1a, a lobby, one entry and one exit lane. */
export const TOPOLOGY_YAML = `
sites:
  - id: mall-a
    spaces:
      - id: lot
        capacity: 500
        children:
          - { id: level-1, capacity: 250, children: [ { id: zone-1a, capacity: 40 } ] }
      - { id: lobby }
    lanes:
      - { id: entry-1, space: lot, direction: in }
      - { id: exit-1,  space: lot, direction: out }
      - { id: entry-l1, space: level-1, direction: in }
      - { id: exit-l1, space: level-1, direction: out }
    doors:
      - { id: door-1, to: lobby }
    slots:
      - { id: L1-001, space: zone-1a }
    tariff: { freeMinutes: 15, perHour: 2.5, dailyMax: 20, currency: EUR }
`;

export function testTopology(): TopologyIndex {
  return createTopologyIndex(parseTopology(TOPOLOGY_YAML, "topology.yaml"));
}

export interface TempDir {
  path: string;
  file(name: string, content?: string): string;
  remove(): void;
}

export function createTempDir(prefix = "lotwatch-ingest-"): TempDir {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return {
    path,
    file(name, content) {
      const file = join(path, name);
      if (content !== undefined) writeFileSync(file, content);
      return file;
    },
    remove() {
      rmSync(path, { recursive: true, force: true });
    },
  };
}

export const T0 = Date.parse("2026-11-22T10:00:00.000Z");

export function at(offsetMs: number): string {
  return new Date(T0 + offsetMs).toISOString();
}

export function vehicle(
  type: "vehicle.entry" | "vehicle.exit",
  lane: string,
  seq: number,
  occurredAt: string,
  extra: Partial<LotwatchEvent> = {},
): LotwatchEvent {
  return {
    type,
    id: newEventId(),
    seq,
    site: "mall-a",
    occurredAt,
    plate: `KA01AB${String(seq).padStart(4, "0")}`,
    confidence: 0.9,
    lane,
    ...extra,
  } as LotwatchEvent;
}

/**
 * An envelope sent now by a gateway whose clock is right (uptime: this process's), so the ingest
 * measures no clock offset and keeps the events' times as stamped.
 */
export function envelope(gateway: string, events: unknown[]): Record<string, unknown> {
  const sentAt = new Date().toISOString();
  return { v: 1, gateway, sentAt, bootId: "boot-1", uptimeMs: Math.floor(performance.now()), events };
}

export function payload(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}
