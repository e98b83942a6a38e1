import type { Migration } from "./migrations.js";

/**
 * Migration 9: drops `events_site_occurred_at`. No query reads events by (site, occurred_at) —
 * counts read `count_timeline`, sessions `session_reads` — and keeping the index cost a third of
 * the insert path's page writes (issue 5).
 */
export const LEAN_EVENTS_MIGRATION: Migration = {
  version: 9,
  name: "drop the unused events (site, occurred_at) index",
  sql: "DROP INDEX IF EXISTS events_site_occurred_at;",
};
