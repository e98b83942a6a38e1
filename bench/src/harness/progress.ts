import cliProgress from "cli-progress";

export interface Progress {
  /** Starts a benchmark's share of the bar. */
  begin(benchmark: string): void;
  step(label: string): void;
  /** A line above the bar (or on its own when stderr is not a terminal). */
  log(line: string): void;
  stop(): void;
}

/** A bar on stderr in a terminal; plain progress lines otherwise (CI logs). */
export function createProgress(total: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  let current = "";
  let done = 0;
  if (!stream.isTTY) {
    return {
      begin(benchmark) {
        current = benchmark;
      },
      step(label) {
        done++;
        stream.write(`[${done}/${total}] ${current}: ${label}\n`);
      },
      log: (line) => stream.write(`${line}\n`),
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: "{bar} {value}/{total} | {elapsed}s | {benchmark}: {label}",
      hideCursor: true,
      clearOnComplete: false,
      barsize: 30,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { benchmark: "starting", label: "" });
  return {
    begin(benchmark) {
      current = benchmark;
      bar.update({ benchmark, label: "" });
    },
    step(label) {
      done = Math.min(total, done + 1);
      bar.update(done, { benchmark: current, label });
    },
    log(line) {
      // Clear the bar's line, print, and let the next update redraw it.
      stream.write(`\r\u001b[2K${line}\n`);
      bar.render();
    },
    stop: () => bar.stop(),
  };
}
