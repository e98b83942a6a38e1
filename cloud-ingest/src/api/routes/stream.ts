import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import type { CountChange } from "../../counts/count-feed.js";
import type { Store } from "../../store/store.js";
import type { TopologyIndex } from "../../topology/topology-index.js";
import { unknownSite } from "../errors.js";
import { buildSpaceViews } from "../space-view.js";
import { validate } from "../validation/validate.js";
import { streamRoute } from "./stream.schema.js";

export interface StreamRoutesOptions {
  store: Store;
  topology: TopologyIndex;
  now?: () => number;
  /** How often a comment line keeps idle proxies from closing the stream. Default 15 s. */
  heartbeatMs?: number;
}

/**
 * Mounted at `/v1/sites/:site/events`: `GET /stream` sends Server-Sent Events — a `snapshot` of
 * every space on connect, then a `count` event for each space whose current count changed.
 */
export function createStreamRoutes(options: StreamRoutesOptions): Hono {
  const { store, topology } = options;
  const now = options.now ?? Date.now;
  const heartbeatMs = options.heartbeatMs ?? 15_000;

  return new Hono().get(
    "/stream",
    validate("param", streamRoute.params),
    validate("query", streamRoute.query),
    (c) => {
      const siteId = c.req.valid("param").site;
      const site = topology.sites.get(siteId);
      if (site === undefined) throw unknownSite(siteId);
      const signal = c.req.raw.signal;

      return streamSSE(c, async (stream) => {
        // Only the latest change per space waits for a slow client, so its backlog stays bounded.
        const pending = new Map<string, CountChange>();
        let wake: (() => void) | undefined;
        let done = false;
        const stop = () => {
          done = true;
          wake?.();
        };
        // Subscribe before reading the snapshot, so no change falls between the two.
        const unsubscribe = store.subscribeCounts((changes) => {
          for (const change of changes) {
            if (change.site !== site.id) continue;
            pending.delete(change.space);
            pending.set(change.space, change);
          }
          if (pending.size > 0) wake?.();
        });
        stream.onAbort(stop);
        signal.addEventListener("abort", stop, { once: true });
        const heartbeat = setInterval(() => void stream.write(": heartbeat\n\n"), heartbeatMs);
        try {
          const spaces = buildSpaceViews(site, await store.currentCounts(site.id));
          const snapshot = { site: site.id, at: new Date(now()).toISOString(), spaces };
          await stream.writeSSE({ event: "snapshot", data: JSON.stringify(snapshot) });
          while (!done) {
            if (pending.size === 0) {
              await new Promise<void>((resolve) => {
                wake = resolve;
              });
              wake = undefined;
              continue;
            }
            const changes = [...pending.values()];
            pending.clear();
            for (const change of changes) {
              await stream.writeSSE({ event: "count", data: JSON.stringify(change) });
            }
          }
        } finally {
          clearInterval(heartbeat);
          unsubscribe();
          signal.removeEventListener("abort", stop);
        }
      });
    },
  );
}
