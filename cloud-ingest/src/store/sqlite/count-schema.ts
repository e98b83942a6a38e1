import type { Migration } from "./migrations.js";

/**
 * Migration 3: count history as a running sum per (site, space, source), and bay sensor states.
 * `count_timeline` rows are keyed by event time and the event's (gateway, seq), so the table holds
 * the same rows whatever order the events came in; `cum` is the count just after the row, so a
 * count at T is one seek. It replaces migration 1's `count_deltas` (a linear sum) and
 * `space_counts`; nothing was released with those, so their rows are not carried over.
 */
export const COUNTS_MIGRATION: Migration = {
  version: 3,
  name: "count timelines and slot states",
  sql: `
  DROP TABLE count_deltas;
  DROP TABLE space_counts;

  CREATE TABLE count_timeline (
    site TEXT NOT NULL,
    space TEXT NOT NULL,
    source TEXT NOT NULL,
    t INTEGER NOT NULL,
    gateway TEXT NOT NULL,
    seq INTEGER NOT NULL,
    delta INTEGER NOT NULL,
    cum INTEGER NOT NULL,
    PRIMARY KEY (site, space, source, t, gateway, seq)
  ) WITHOUT ROWID;

  CREATE TABLE count_heads (
    site TEXT NOT NULL,
    space TEXT NOT NULL,
    source TEXT NOT NULL,
    count INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (site, space, source)
  ) WITHOUT ROWID;

  CREATE TABLE slot_states (
    site TEXT NOT NULL,
    slot TEXT NOT NULL,
    t INTEGER NOT NULL,
    gateway TEXT NOT NULL,
    seq INTEGER NOT NULL,
    occupied INTEGER NOT NULL,
    PRIMARY KEY (site, slot, t, gateway, seq)
  ) WITHOUT ROWID;
  CREATE INDEX slot_states_by_state ON slot_states (site, slot, occupied, t, gateway, seq);
`,
};
