import type { Migration } from "./migrations.js";

/**
 * Migration 14: the last event batch row whose counts and sessions are written (derivation.ts).
 * A batch's events commit first and its counts and sessions in a second transaction, so a crash
 * between the two leaves rows past this mark, which the store derives when it opens. Every row
 * stored before this migration was derived in its own transaction.
 */
export const DERIVATION_MIGRATION: Migration = {
  version: 14,
  name: "counts and sessions derived through a batch row",
  sql: `
    CREATE TABLE derived_through (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      batch INTEGER NOT NULL
    );
    INSERT INTO derived_through (id, batch) SELECT 1, COALESCE(MAX(id), 0) FROM event_batches;
  `,
};
