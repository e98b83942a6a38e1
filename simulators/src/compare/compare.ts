import { LotwatchError } from "@lotwatch/protocol/errors.js";
import type { GroundTruth } from "../scenario/ground-truth.js";

export interface CompareOptions {
  truth: GroundTruth;
  /** The ingest's base URL, e.g. http://127.0.0.1:8080. */
  ingestUrl: string;
  apiKey?: string;
}

export interface Check {
  what: string;
  expected: number;
  actual: number | null;
  agrees: boolean;
}

export interface Comparison {
  checks: Check[];
  agreed: number;
  total: number;
  agrees: boolean;
}

const SESSION_PAGE = 1000;

/** Asks the ingest's REST API for every count and session total in the truth file and lines them up. */
export async function compareWithIngest(options: CompareOptions): Promise<Comparison> {
  const base = options.ingestUrl.replace(/\/+$/, "");
  const get = (path: string) => getJson(`${base}${path}`, options.apiKey);
  const site = encodeURIComponent(options.truth.site);
  const checks: Check[] = [];

  for (const point of options.truth.counts) {
    const answer = (await get(
      `/v1/sites/${site}/spaces/${encodeURIComponent(point.space)}/count?at=${encodeURIComponent(point.at)}`,
    )) as { count?: number };
    const actual = typeof answer.count === "number" ? answer.count : null;
    checks.push({
      what: `count ${point.space} at ${point.at}`,
      expected: point.count,
      actual,
      agrees: actual === point.count,
    });
  }

  const sessions = { open: 0, closed: 0, exact: 0, fuzzy: 0, unmatched: 0 };
  for (const status of ["open", "closed", "unmatched"] as const) {
    let cursor: string | null = null;
    do {
      const query: string = `status=${status}&limit=${SESSION_PAGE}${cursor === null ? "" : `&cursor=${encodeURIComponent(cursor)}`}`;
      const page = (await get(`/v1/sites/${site}/sessions?${query}`)) as {
        sessions: { matchedBy: "exact" | "fuzzy" | null }[];
        nextCursor: string | null;
      };
      for (const session of page.sessions) {
        sessions[status]++;
        if (session.matchedBy !== null) sessions[session.matchedBy]++;
      }
      cursor = page.nextCursor;
    } while (cursor !== null);
  }
  for (const key of ["open", "closed", "exact", "fuzzy", "unmatched"] as const) {
    const expected = options.truth.sessions[key];
    const label = key === "exact" || key === "fuzzy" ? `closed sessions matched ${key}` : `${key} sessions`;
    checks.push({ what: label, expected, actual: sessions[key], agrees: sessions[key] === expected });
  }
  const agreed = checks.filter((check) => check.agrees).length;
  return { checks, agreed, total: checks.length, agrees: agreed === checks.length };
}

/** A table a person reads: one line per check, disagreements marked, then the totals. */
export function formatComparison(comparison: Comparison): string {
  const width = Math.max(...comparison.checks.map((check) => check.what.length), 4);
  const lines = comparison.checks.map(
    (check) =>
      `${check.agrees ? "ok  " : "DIFF"} ${check.what.padEnd(width)}  expected ${String(check.expected).padStart(5)}  ingest ${String(check.actual ?? "none").padStart(5)}`,
  );
  lines.push(
    `${comparison.agreed}/${comparison.total} agree${comparison.agrees ? "" : ` (${comparison.total - comparison.agreed} differ)`}`,
  );
  return `${lines.join("\n")}\n`;
}

async function getJson(url: string, apiKey: string | undefined): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(
      url,
      apiKey === undefined ? {} : { headers: { authorization: `Bearer ${apiKey}` } },
    );
  } catch (error) {
    throw new LotwatchError("INGEST_UNREACHABLE", `GET ${url} failed: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (!response.ok) {
    throw new LotwatchError(
      "INGEST_ERROR",
      `GET ${url} answered ${response.status}: ${(await response.text()).slice(0, 300)}`,
    );
  }
  return response.json();
}
