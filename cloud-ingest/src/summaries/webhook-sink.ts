import { LotwatchError } from "@lotwatch/protocol/errors.js";
import type { SummarySink } from "./summary-sink.js";

export interface WebhookSinkOptions {
  url: string;
  /** A request that takes longer fails (and is retried). Default 10 s. */
  timeoutMs?: number;
}

/** The webhook sink's name, which keys its outbox cursor. */
export const WEBHOOK_SINK = "webhook";

/** POSTs records as one JSON array; only a 2xx answer counts as delivered. */
export function createWebhookSink(options: WebhookSinkOptions): SummarySink {
  const timeoutMs = options.timeoutMs ?? 10_000;
  return {
    name: WEBHOOK_SINK,
    target: options.url,
    async deliver(records, signal) {
      let response: Response;
      try {
        response = await fetch(options.url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(records),
          signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
        });
      } catch (error) {
        const reason = error instanceof Error ? (error.cause ?? error).toString() : String(error);
        throw new LotwatchError("webhook_unreachable", `POST ${options.url} failed: ${reason}`, {
          cause: error,
        });
      }
      // Read the body so the connection can be reused.
      const text = await response.text().catch(() => "");
      if (!response.ok) {
        throw new LotwatchError(
          "webhook_refused",
          `POST ${options.url} answered ${response.status}${text ? `: ${text.slice(0, 200)}` : ""}`,
        );
      }
    },
  };
}
