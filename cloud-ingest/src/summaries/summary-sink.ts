import type { SummaryRecord } from "./summary-record.js";

/** Where summaries go. `deliver` resolves only once the records are durably handed over. */
export interface SummarySink {
  /** Names the sink's outbox cursor: `file` or `webhook`. */
  name: string;
  /** Describes the target for logs (a path, a URL). */
  target: string;
  deliver(records: SummaryRecord[], signal: AbortSignal): Promise<void>;
}
