import type { AddressInfo } from "node:net";
import { createAdaptorServer, type ServerType } from "@hono/node-server";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { campusTopology, crossing, laneRead, T0 } from "../../counts/test-support/count-fixtures.js";
import { createSilentLogger } from "../../logging/create-logger.js";
import { createSqliteStore } from "../../store/sqlite/sqlite-store.js";
import type { Store } from "../../store/store.js";
import { createTempDir, type TempDir } from "../../test-support/fixtures.js";
import { createApp } from "../app.js";

interface SseFrame {
  event?: string;
  data?: string;
  comment?: string;
}

/** Reads Server-Sent Events frames from a fetch response, each wait bounded. */
function sseReader(response: Response) {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  const frames: SseFrame[] = [];
  const parse = (block: string): SseFrame => {
    const frame: SseFrame = {};
    for (const line of block.split("\n")) {
      if (line.startsWith(":")) frame.comment = line.slice(1).trim();
      else if (line.startsWith("event: ")) frame.event = line.slice(7);
      else if (line.startsWith("data: "))
        frame.data = (frame.data === undefined ? "" : `${frame.data}\n`) + line.slice(6);
    }
    return frame;
  };
  return {
    /** The next frame matching `accept`, skipping others; fails after `timeoutMs`. */
    async next(accept: (frame: SseFrame) => boolean = () => true, timeoutMs = 5000): Promise<SseFrame> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const index = frames.findIndex(accept);
        if (index >= 0) return frames.splice(0, index + 1).at(-1) as SseFrame;
        frames.length = 0;
        const left = deadline - Date.now();
        if (left <= 0) throw new Error("no matching SSE frame in time");
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error("no matching SSE frame in time")), left);
        });
        const { done, value } = await Promise.race([reader.read(), timeout]).finally(() =>
          clearTimeout(timer),
        );
        if (done) throw new Error("the stream ended");
        buffer += decoder.decode(value, { stream: true });
        const blocks = buffer.split("\n\n");
        buffer = blocks.pop() ?? "";
        frames.push(...blocks.filter((block) => block.length > 0).map(parse));
      }
    },
    cancel: () => reader.cancel(),
  };
}

const logger = createSilentLogger();
let dir: TempDir;
let store: Store;
let server: ServerType;
let baseUrl: string;

beforeEach(async () => {
  dir = createTempDir();
  const topology = campusTopology();
  store = createSqliteStore({ path: dir.file("stream.db"), topology, logger });
  await store.insertBatch("gw-1", [laneRead(1, 0, "gate-in")], T0);
  const app = createApp({ store, topology, logger, streamHeartbeatMs: 100 });
  server = createAdaptorServer({ fetch: app.fetch });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(async () => {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    if ("closeAllConnections" in server) server.closeAllConnections();
  });
  await store.close();
  dir.remove();
});

describe("count event stream", () => {
  it("sends a snapshot on connect, then each changed count after a commit, with heartbeats", async () => {
    const response = await fetch(`${baseUrl}/v1/sites/campus/events/stream`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    const events = sseReader(response);
    try {
      const snapshot = await events.next((frame) => frame.event !== undefined);
      expect(snapshot.event).toBe("snapshot");
      const spaces = (JSON.parse(snapshot.data ?? "{}") as { spaces: { id: string; count: number }[] })
        .spaces;
      expect(spaces.find((space) => space.id === "garage")?.count).toBe(1);

      await store.insertBatch(
        "gw-1",
        [laneRead(2, 1000, "gate-in"), crossing(3, 1000, "main", 1, 4)],
        T0 + 5000,
      );
      const changes = new Map<string, Record<string, unknown>>();
      while (changes.size < 3) {
        const frame = await events.next((f) => f.event === "count");
        const change = JSON.parse(frame.data ?? "{}") as Record<string, unknown>;
        changes.set(String(change.space), change);
      }
      expect(changes.get("garage")).toEqual({
        site: "campus",
        space: "garage",
        source: "flow",
        count: 2,
        rawCount: 2,
        clamped: false,
        capacity: 100,
        free: 98,
        at: new Date(T0 + 5000).toISOString(),
      });
      expect([...changes.keys()].sort()).toEqual(["building", "floor-1", "garage"]);
      expect(changes.get("building")).toMatchObject({ count: 4 });
      expect(await events.next((frame) => frame.comment === "heartbeat")).toEqual({ comment: "heartbeat" });
    } finally {
      await events.cancel();
    }
  });

  it("answers 404 for an unknown site instead of a stream", async () => {
    const response = await fetch(`${baseUrl}/v1/sites/nowhere/events/stream`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: "unknown_site" } });
  });

  it("stops listening to the store when the client goes away", async () => {
    let listeners = 0;
    const subscribe = store.subscribeCounts.bind(store);
    store.subscribeCounts = (listener) => {
      listeners++;
      const unsubscribe = subscribe(listener);
      return () => {
        listeners--;
        unsubscribe();
      };
    };
    const controller = new AbortController();
    const response = await fetch(`${baseUrl}/v1/sites/campus/events/stream`, { signal: controller.signal });
    await sseReader(response).next((frame) => frame.event === "snapshot");
    expect(listeners).toBe(1);
    controller.abort();
    const deadline = Date.now() + 5000;
    while (listeners > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(listeners).toBe(0);
  });
});
