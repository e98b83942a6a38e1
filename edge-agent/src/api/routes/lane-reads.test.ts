import { LotwatchError } from "@lotwatch/protocol/errors.js";
import type { Reading } from "@lotwatch/protocol/events.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createEventBuffer } from "../../buffer/event-buffer.js";
import type { EventBuffer } from "../../buffer/types.js";
import { createSilentLogger } from "../../common/logger.js";
import { CameraHttpConfigSchema } from "../../inputs/camera-http/camera-http-config.js";
import { createCameraHttpInput } from "../../inputs/camera-http/camera-http-input.js";
import { createPushEndpoints } from "../../inputs/camera-http/push-endpoints.js";
import type { ReadingSink } from "../../inputs/input.js";
import { createAgentMetrics } from "../../metrics/agent-metrics.js";
import { createCleanups } from "../../test-support/cleanups.js";
import { createRecordingObserver, type RecordingObserver } from "../../test-support/recording-observer.js";
import { createTempDir } from "../../test-support/temp-dir.js";
import { createApiApp } from "../app.js";

const TOKEN = "cam-entry-1-secret-token";
const OTHER_TOKEN = "cam-entry-1-second-camera";

describe("POST /v1/lanes/{lane}/reads", () => {
  const cleanups = createCleanups();
  let buffer: EventBuffer;

  beforeEach(() => {
    const dir = createTempDir();
    cleanups.add(() => dir.remove());
    buffer = createEventBuffer({
      path: dir.file("buffer.db"),
      gatewayId: "gw-1",
      site: "mall-a",
      bootId: "boot-a",
      logger: createSilentLogger(),
    });
    cleanups.add(() => buffer.close());
  });
  afterEach(() => cleanups.run());

  function setup(sink?: ReadingSink) {
    const endpoints = createPushEndpoints();
    const metrics = createAgentMetrics({
      processMetrics: false,
      sources: {
        depth: () => 0,
        oldestPendingAt: () => null,
        connected: () => false,
        bufferBytes: () => 0,
        diskFull: () => false,
        diskFullEvents: () => 0,
        clockSynced: () => undefined,
      },
    });
    const observers: Record<string, RecordingObserver> = {};
    const commit: ReadingSink = sink ?? (async (readings) => void (await buffer.accept(readings)));
    for (const [name, token, maxBodyBytes] of [
      ["cam-a", TOKEN, 2048],
      ["cam-b", OTHER_TOKEN, 1024],
    ] as const) {
      const observer = createRecordingObserver();
      observers[name] = observer;
      const config = CameraHttpConfigSchema.parse({
        type: "camera-http",
        lane: "entry-1",
        token,
        direction: "in",
        maxBodyBytes,
      });
      const input = createCameraHttpInput(
        { ...config, name },
        { sink: commit, logger: createSilentLogger(), observer, pushEndpoints: endpoints },
      );
      input.start();
      cleanups.add(() => input.close());
    }
    const app = createApiApp({
      status: () => {
        throw new Error("unused");
      },
      counts: () => {
        throw new Error("unused");
      },
      registry: metrics.registry,
      logger: createSilentLogger(),
      pushEndpoints: endpoints,
    });
    const post = async (
      body: string | ReadableStream,
      headers: Record<string, string> = {},
      lane = "entry-1",
    ): Promise<Response> =>
      await app.request(`/v1/lanes/${lane}/reads`, {
        method: "POST",
        body,
        headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json", ...headers },
        ...(typeof body === "string" ? {} : { duplex: "half" }),
      });
    return { post, observers };
  }

  const plates = () =>
    buffer.peek(0, 100, 1_000_000).map((event) => (JSON.parse(event.json) as { plate: string }).plate);

  it("answers 202 only once the reads are committed to the buffer", async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { post } = setup(async (readings) => {
      await gate;
      await buffer.accept(readings);
    });
    let settled = false;
    const answer = post(JSON.stringify([{ plate: "AAA111" }, { plate: "BBB222", confidence: 0.5 }])).then(
      (response) => {
        settled = true;
        return response;
      },
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(settled).toBe(false);
    expect(buffer.depth()).toBe(0);
    release();
    const response = await answer;
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ accepted: 2 });
    expect(plates()).toEqual(["AAA111", "BBB222"]);
  });

  it("takes each camera's own token on a shared lane and refuses others with 401", async () => {
    const { post, observers } = setup();
    expect((await post('{"plate":"A1"}', { authorization: `Bearer ${OTHER_TOKEN}` })).status).toBe(202);
    const wrong = await post('{"plate":"B2"}', { authorization: "Bearer not-the-token" });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(await wrong.json()).toMatchObject({ error: { code: "UNAUTHORIZED" } });
    const missing = await post('{"plate":"B2"}', { authorization: "" });
    expect(await missing.json()).toMatchObject({ error: { message: /Authorization: Bearer/ } });
    expect(plates()).toEqual(["A1"]);
    expect(observers["cam-a"]?.malformedCounts).toEqual({ unauthorized: 2 });
  });

  it("answers 404 for a lane no camera serves", async () => {
    const response = await setup().post('{"plate":"A1"}', {}, "exit-7");
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: "UNKNOWN_LANE" } });
  });

  it("refuses a body over the camera's limit, declared or streamed, with 413", async () => {
    const { post, observers } = setup();
    const big = JSON.stringify({ plate: "A1", pad: "x".repeat(3000) });
    expect((await post(big)).status).toBe(413);
    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 10; i++) controller.enqueue(new TextEncoder().encode("x".repeat(500)));
        controller.close();
      },
    });
    const streamed = await post(stream);
    expect(streamed.status).toBe(413);
    expect(await streamed.json()).toMatchObject({ error: { code: "BODY_TOO_LARGE" } });
    expect(observers["cam-a"]?.malformedCounts).toEqual({ "too-large": 2 });
    expect(buffer.depth()).toBe(0);
  });

  it.each([
    { name: "a body that is not JSON", body: "{plate:", code: "INVALID_JSON", reason: "json" },
    { name: "a read failing the schema", body: '{"plate":""}', code: "INVALID_READING", reason: "schema" },
    { name: "an empty body", body: "", code: "INVALID_JSON", reason: "json" },
  ])("answers 400 to $name and counts it", async ({ body, code, reason }) => {
    const { post, observers } = setup();
    const response = await post(body);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code } });
    expect(observers["cam-a"]?.malformedCounts).toEqual({ [reason]: 1 });
  });

  it("answers 415 to a multipart webhook with image", async () => {
    const response = await setup().post("--x\r\n", { "content-type": "multipart/form-data; boundary=x" });
    expect(response.status).toBe(415);
  });

  it("answers 503 with Retry-After when the buffer refuses the read (disk full)", async () => {
    const { post } = setup(async (_readings: Reading[]) => {
      throw new LotwatchError("BUFFER_FULL", "disk full");
    });
    const response = await post('{"plate":"A1"}');
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("30");
    expect(await response.json()).toMatchObject({ error: { code: "BUFFER_FULL" } });
  });
});
