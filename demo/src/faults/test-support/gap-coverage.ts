import { expect } from "vitest";
import { getJson } from "../../test-support/http.js";
import type { IngestService } from "./services.js";
import { storedSeqList } from "./stores.js";

export interface GapView {
  seq: number;
  fromSeq: number;
  toSeq: number;
  count: number;
  reason: string;
  arrived: number;
}

interface GapsAnswer {
  gateway: string;
  lost: number;
  gaps: GapView[];
  nextAfter: number | null;
}

/** What the ingest holds of one gateway's seqs, and what its gap reports say is missing. */
export interface GapCoverage {
  stored: number;
  gapEvents: number;
  /** `lost` of `GET /v1/gateways/{gw}/gaps`. */
  lost: number;
  /** `lotwatch_ingest_lost_events_total` summed over reasons for the gateway. */
  lostMetric: number;
  /** Lost seqs by reason, e.g. `buffer-cap-bytes:5123`. */
  byReason: string;
}

/** Every page of the gateway's gaps from the ingest's REST API. */
export async function allGaps(
  ingest: IngestService,
  gateway: string,
): Promise<{ lost: number; gaps: GapView[] }> {
  const gaps: GapView[] = [];
  let after: number | null = 0;
  let lost = 0;
  while (after !== null) {
    const page: GapsAnswer = await getJson(`${ingest.httpUrl()}/v1/gateways/${gateway}/gaps?after=${after}`);
    gaps.push(...page.gaps);
    lost = page.lost;
    after = page.nextAfter;
  }
  return { lost, gaps };
}

async function lostMetric(ingest: IngestService, gateway: string): Promise<number> {
  const response = await fetch(`${ingest.httpUrl()}/metrics`);
  let total = 0;
  for (const line of (await response.text()).split("\n")) {
    if (line.startsWith("lotwatch_ingest_lost_events_total{") && line.includes(`gateway="${gateway}"`)) {
      total += Number(line.slice(line.lastIndexOf(" ") + 1));
    }
  }
  return total;
}

/**
 * The proof that nothing disappeared silently: the seqs the ingest stored and the seqs its gap
 * reports name are disjoint and together exactly 1..`committed`, and the lost-events counter
 * agrees with the number of missing seqs.
 */
export async function expectGapsCoverExactly(
  ingest: IngestService,
  gateway: string,
  committed: number,
): Promise<GapCoverage> {
  const stored = storedSeqList(ingest.dbPath, gateway);
  const { lost, gaps } = await allGaps(ingest, gateway);
  const seen = new Uint8Array(committed + 1);
  let outside = 0;
  let twice = 0;
  const mark = (seq: number) => {
    if (seq < 1 || seq > committed) outside++;
    else if (seen[seq] === 1) twice++;
    else seen[seq] = 1;
  };
  for (const seq of stored) mark(seq);
  const byReason = new Map<string, number>();
  for (const gap of gaps) {
    for (let seq = gap.fromSeq; seq <= gap.toSeq; seq++) mark(seq);
    byReason.set(gap.reason, (byReason.get(gap.reason) ?? 0) + gap.count);
  }
  const uncovered = committed - seen.reduce((sum, bit) => sum + bit, 0);
  const missing = committed - stored.length;
  const coverage: GapCoverage = {
    stored: stored.length,
    gapEvents: gaps.length,
    lost,
    lostMetric: await lostMetric(ingest, gateway),
    byReason: [...byReason].map(([reason, count]) => `${reason}:${count}`).join(","),
  };
  expect({ outside, twice, uncovered, lost: coverage.lost, lostMetric: coverage.lostMetric }).toEqual({
    outside: 0,
    twice: 0,
    uncovered: 0,
    lost: missing,
    lostMetric: missing,
  });
  expect(gaps.every((gap) => gap.arrived === 0)).toBe(true);
  return coverage;
}
