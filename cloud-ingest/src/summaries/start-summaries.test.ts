import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSilentLogger } from "../logging/create-logger.js";
import { createTempDir, type TempDir } from "../test-support/fixtures.js";
import { startSummaries } from "./start-summaries.js";
import type { SummaryOutbox } from "./summary-outbox.js";

const outbox: SummaryOutbox = {
  readOutbox: async () => [],
  markDelivered: async () => undefined,
  pruneOutbox: async () => 0,
};
const logger = createSilentLogger();
let dir: TempDir;

beforeEach(() => {
  dir = createTempDir();
});
afterEach(() => dir.remove());

describe("startSummaries", () => {
  it("runs nothing without a sink, or while summaries are held", async () => {
    expect(startSummaries(outbox, {}, logger)).toBeNull();
    expect(startSummaries(outbox, { file: join(dir.path, "s.jsonl"), hold: true }, logger)).toBeNull();
  });

  it("starts a dispatcher for a file and a webhook", async () => {
    const dispatcher = startSummaries(
      outbox,
      { file: join(dir.path, "s.jsonl"), webhook: "http://127.0.0.1:9/hook" },
      logger,
    );
    expect(dispatcher).not.toBeNull();
    await dispatcher?.close();
  });

  it("refuses a summaries file in a folder that does not exist, naming the option", () => {
    expect(() => startSummaries(outbox, { file: join(dir.path, "nope", "s.jsonl") }, logger)).toThrow(
      /^--summaries .*nope\/s\.jsonl: the folder .*nope does not exist/,
    );
  });
});
