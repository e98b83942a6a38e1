import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseCameraBody } from "./camera-body.js";

// The "recognition" webhook sample of Plate Recognizer Stream's documentation
// (https://guides.platerecognizer.com/docs/stream/results, "Webhooks" section).
const plateRecognizerSample: unknown = JSON.parse(
  readFileSync(new URL("./testdata/platerecognizer-stream.json", import.meta.url), "utf8"),
);

const entry = { lane: "entry-1", direction: "in" as const, maxReads: 10 };

describe("parseCameraBody", () => {
  it("reads the documented Plate Recognizer Stream webhook as one entry with its score and time", () => {
    expect(parseCameraBody(plateRecognizerSample, entry)).toEqual({
      ok: true,
      shape: "platerecognizer",
      readings: [
        {
          type: "vehicle.entry",
          lane: "entry-1",
          plate: "9jub11",
          confidence: 0.839,
          occurredAt: "2021-09-29T05:56:13.606Z",
        },
      ],
    });
  });

  it("reads a Snapshot webhook's zone-less timestamp as UTC and accepts an empty result list", () => {
    const body = {
      hook: { event: "image.done" },
      data: { timestamp: "2025-09-09 23:22:38.030345", results: [] },
    };
    expect(parseCameraBody(body, entry)).toEqual({ ok: true, shape: "platerecognizer", readings: [] });
    const one = { hook: {}, data: { timestamp: "2025-09-09 23:22:38.030345", results: [{ plate: "ab12" }] } };
    const parsed = parseCameraBody(one, { ...entry, direction: "out" });
    expect(parsed).toMatchObject({
      ok: true,
      readings: [{ type: "vehicle.exit", plate: "ab12", occurredAt: "2025-09-09T23:22:38.030Z" }],
    });
  });

  it("refuses a Plate Recognizer webhook for a camera without a direction", () => {
    const parsed = parseCameraBody(plateRecognizerSample, { lane: "entry-1", maxReads: 10 });
    expect(parsed).toMatchObject({
      ok: false,
      message: expect.stringMatching(/give this camera-http input a direction/),
    });
  });

  it.each([
    {
      name: "one generic read, type and lane from config and URL",
      body: { plate: "KA01AB1234", confidence: 0.93, occurredAt: "2026-11-22T09:59:58.010Z" },
      readings: [
        {
          type: "vehicle.entry",
          lane: "entry-1",
          plate: "KA01AB1234",
          confidence: 0.93,
          occurredAt: "2026-11-22T09:59:58.010Z",
        },
      ],
    },
    {
      name: "a list with an explicit type and the same lane",
      body: [{ type: "vehicle.exit", lane: "entry-1", plate: "A1" }, { plate: "B2" }],
      readings: [
        { type: "vehicle.exit", lane: "entry-1", plate: "A1" },
        { type: "vehicle.entry", lane: "entry-1", plate: "B2" },
      ],
    },
  ])("reads $name", ({ body, readings }) => {
    expect(parseCameraBody(body, entry)).toEqual({ ok: true, shape: "generic", readings });
  });

  it.each([
    { name: "another lane", body: { lane: "exit-9", plate: "A1" }, message: /lane: "exit-9" does not match/ },
    { name: "a missing plate", body: {}, message: /plate/ },
    { name: "a bad confidence", body: { plate: "A1", confidence: 7 }, message: /confidence/ },
    { name: "a plate that is not a string", body: [{ plate: "A1" }, { plate: 5 }], message: /^\[1\]\.plate/ },
    {
      name: "a door crossing",
      body: { type: "door.crossing", plate: "A1" },
      message: /type must be vehicle.entry/,
    },
    { name: "a number", body: 42, message: /expected \{"plate"/ },
    {
      name: "too many reads",
      body: Array.from({ length: 11 }, () => ({ plate: "A1" })),
      message: /at most 10/,
    },
    {
      name: "a webhook with a bad time",
      body: { hook: {}, data: { timestamp: "yesterday", results: [{ plate: "A1" }] } },
      message: /data.timestamp: "yesterday"/,
    },
  ])("refuses $name, saying where", ({ body, message }) => {
    const parsed = parseCameraBody(body, entry);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toMatch(message);
  });

  it("needs a type when the camera has no direction", () => {
    expect(parseCameraBody({ plate: "A1" }, { lane: "entry-1", maxReads: 1 })).toMatchObject({
      ok: false,
      message: expect.stringMatching(/type: missing/),
    });
  });
});
