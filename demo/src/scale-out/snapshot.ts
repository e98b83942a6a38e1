import type { Store } from "@lotwatch/cloud-ingest/store/store.js";
import type { SummaryRecord } from "@lotwatch/cloud-ingest/summaries/summary-record.js";
import type { ScaleOutScenario } from "./scenario.js";

/**
 * What the ingest answers about every site, minus what depends on when a worker received a batch
 * (`updatedAt`, `recordedAt`, record ids): sessions, current counts, counts every 10 minutes,
 * bay states, and the summaries standing after corrections.
 */
export interface Snapshot {
  state: unknown;
  /** Standing summaries of sessions that no longer exist (not compared: they depend on order). */
  orphanSummaries: number;
}

export async function snapshot(store: Store, scenario: ScaleOutScenario): Promise<Snapshot> {
  const times: number[] = [];
  for (let t = scenario.from - 600_000; t <= scenario.to + 600_000; t += 600_000) times.push(t);
  const sites: Record<string, unknown> = {};
  for (const site of scenario.sites) {
    const sessions = (await store.listSessions(site, { limit: 100_000 })).sessions;
    const current = (await store.currentCounts(site))
      .map(({ space, source, reading }) => ({ space, source, reading }))
      .sort((a, b) => a.space.localeCompare(b.space));
    const history: Record<string, number[]> = {};
    for (const space of scenario.spaces) {
      history[space] = (await store.countsAt(site, space, times)).map((reading) => reading.rawCount);
    }
    sites[site] = { sessions, current, history, slots: await store.listSlots(site) };
  }
  const live = new Set(
    Object.values(sites).flatMap((site) =>
      (site as { sessions: { id: string }[] }).sessions.map((s) => s.id),
    ),
  );
  const standing = await standingSummaries(store);
  // Records left standing for sessions that no longer exist depend on arrival order (a rematch
  // does not always correct the record of the session it dissolved); only those of live sessions are compared.
  const summaries = Object.fromEntries(Object.entries(standing).filter(([id]) => live.has(id)));
  return {
    state: { sites, summaries },
    orphanSummaries: Object.keys(standing).length - Object.keys(summaries).length,
  };
}

/**
 * The summaries standing after every correction: records no later record `corrects`, minus `void`
 * ones, by session. (Which superseded records were written depends on arrival order; these do not.)
 */
async function standingSummaries(store: Store): Promise<Record<string, unknown>> {
  const sink = "scale-out-snapshot";
  const records: SummaryRecord[] = [];
  for (;;) {
    const page = await store.readOutbox(sink, 10_000);
    const last = page.at(-1);
    if (last === undefined) break;
    records.push(...page);
    await store.markDelivered(sink, last.recordId);
  }
  const corrected = new Set(records.map((record) => record.corrects));
  const standing = records
    .filter((record) => !corrected.has(record.recordId) && record.status !== "void")
    .map(({ recordId: _, recordedAt: __, corrects: ___, ...record }) => [record.sessionId, record] as const)
    .sort(([a], [b]) => a.localeCompare(b));
  return Object.fromEntries(standing);
}
