import { statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { ConfigError } from "@lotwatch/protocol/errors.js";
import type { Logger } from "../logging/create-logger.js";
import { createSummaryDispatcher, type DispatcherTuning, type SummaryDispatcher } from "./dispatcher.js";
import { createFileSink, FILE_SINK } from "./file-sink.js";
import type { SummaryOutbox } from "./summary-outbox.js";
import type { SummarySink } from "./summary-sink.js";
import { createWebhookSink, WEBHOOK_SINK } from "./webhook-sink.js";

export interface SummarySettings {
  /** `--summaries FILE`: JSON lines, one file per UTC day next to it. */
  file?: string | undefined;
  /** `--webhook URL`: batches POSTed as JSON arrays. */
  webhook?: string | undefined;
  /** Keep everything in the outbox and deliver nothing (maintenance of the consumer; tests). */
  hold?: boolean | undefined;
}

/** The sinks the settings configure, held or not: their cursors decide what may be pruned. */
export function summarySinkNames(settings: SummarySettings): string[] {
  return [
    ...(settings.file === undefined ? [] : [FILE_SINK]),
    ...(settings.webhook === undefined ? [] : [WEBHOOK_SINK]),
  ];
}

/**
 * Starts delivery from the outbox to the configured sinks; null when there is nothing to run.
 * Throws a ConfigError when the summaries file's folder does not exist: better at start than as
 * retries forever.
 */
export function startSummaries(
  outbox: SummaryOutbox,
  settings: SummarySettings,
  logger: Logger,
  tuning: DispatcherTuning = {},
): SummaryDispatcher | null {
  const sinks: SummarySink[] = [];
  if (settings.file !== undefined) {
    const folder = dirname(resolve(settings.file));
    if (!statSync(folder, { throwIfNoEntry: false })?.isDirectory()) {
      throw new ConfigError(
        "summaries_folder_missing",
        `--summaries ${settings.file}: the folder ${folder} does not exist; create it or choose another file`,
      );
    }
    sinks.push(createFileSink(settings.file));
  }
  if (settings.webhook !== undefined) sinks.push(createWebhookSink({ url: settings.webhook }));
  if (sinks.length === 0) return null;
  if (settings.hold === true) {
    logger.warn(
      { sinks: sinks.map((sink) => sink.target) },
      "summaries are held: they stay in the outbox until the ingest runs without --hold-summaries",
    );
    return null;
  }
  return createSummaryDispatcher({ outbox, sinks, logger, ...tuning });
}
