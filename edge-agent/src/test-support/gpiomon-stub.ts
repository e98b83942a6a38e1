import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Writes an executable stand-in for gpiomon into DIR: it records its arguments, then on its first
 * run prints `lines` with the spacing of their own timestamps and exits 1 as a busy chip would; on
 * later runs it prints `afterRestart` and waits to be killed.
 */
export function writeGpiomonStub(dir: string, lines: string[], afterRestart: string[]): string {
  const path = join(dir, "gpiomon-stub.cjs");
  const script = `#!/usr/bin/env node
const fs = require("node:fs");
const runs = ${JSON.stringify(join(dir, "gpiomon-runs"))};
fs.appendFileSync(runs, JSON.stringify(process.argv.slice(2)) + "\\n");
const first = fs.readFileSync(runs, "utf8").trim().split("\\n").length === 1;
const lines = first ? ${JSON.stringify(lines)} : ${JSON.stringify(afterRestart)};
const time = (line) => Number((/^(\\d+\\.\\d+)\\t/.exec(line) || [])[1]) * 1000;
let previous = NaN;
(async () => {
  for (const line of lines) {
    const t = time(line);
    // Edges closer than 10 ms go out together, as gpiomon reads them from the kernel in batches.
    if (t - previous > 10) await new Promise((r) => setTimeout(r, t - previous));
    if (!Number.isNaN(t)) previous = t;
    process.stdout.write(line + "\\n");
  }
  if (first) {
    process.stderr.write("gpiomon: unable to request lines on chip '/dev/gpiochip0': Device or resource busy\\n");
    process.exit(1);
  }
  setInterval(() => {}, 1000);
})();
`;
  writeFileSync(path, script);
  chmodSync(path, 0o755);
  return path;
}
