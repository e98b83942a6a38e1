import { CommanderError } from "commander";
import { describe, expect, it } from "vitest";
import { parseCommandLine } from "../cli/parse-command-line.js";

const quiet = () => {
  // commander prints usage errors itself; keep the test output clean.
  const write = process.stderr.write;
  process.stderr.write = () => true;
  return () => {
    process.stderr.write = write;
  };
};

describe("summary options", () => {
  it("reads --summaries, --webhook and --hold-summaries", () => {
    const settings = parseCommandLine(
      [
        "--topology",
        "t.yaml",
        "--summaries",
        "out/s.jsonl",
        "--webhook",
        "https://billing.example/hook",
        "--hold-summaries",
      ],
      {},
    );
    expect(settings.summaries).toEqual({
      file: "out/s.jsonl",
      webhook: "https://billing.example/hook",
      hold: true,
    });
  });

  it("reads LOTWATCH_SUMMARIES, LOTWATCH_WEBHOOK and LOTWATCH_HOLD_SUMMARIES", () => {
    const settings = parseCommandLine(["--topology", "t.yaml"], {
      LOTWATCH_SUMMARIES: "s.jsonl",
      LOTWATCH_WEBHOOK: "http://127.0.0.1:9/x",
      LOTWATCH_HOLD_SUMMARIES: "1",
    });
    expect(settings.summaries).toEqual({ file: "s.jsonl", webhook: "http://127.0.0.1:9/x", hold: true });
  });

  it("has no summary sinks unless asked", () => {
    expect(parseCommandLine(["--topology", "t.yaml"], {}).summaries).toBeUndefined();
  });

  it("refuses a webhook that is not an http(s) URL", () => {
    const restore = quiet();
    try {
      expect(() => parseCommandLine(["--topology", "t.yaml", "--webhook", "ftp://x"], {})).toThrow(
        CommanderError,
      );
    } finally {
      restore();
    }
    expect(() => parseCommandLine(["--topology", "t.yaml"], { LOTWATCH_WEBHOOK: "billing" })).toThrow(
      'LOTWATCH_WEBHOOK="billing": expected an http:// or https:// URL',
    );
  });
});
