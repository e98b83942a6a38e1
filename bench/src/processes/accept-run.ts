import { builtScript, forkForResult, shebangNodeFlags } from "./child.js";

/** Readings per `accept` call: what a line input hands over from one chunk of its device. */
export const CHUNK = 10;
/** Chunks handed over between two turns of the event loop. */
export const CHUNKS_PER_TURN = 100;

export interface AcceptOptions {
  /** Folder for the buffer files, one per pass. */
  dir: string;
  /** Readings of the mix per pass, and its seed. */
  count: number;
  seed: number;
  site: string;
  passes: number;
}

export interface AcceptPass {
  /** Readings per second, until the last accept's promise resolved (all committed). */
  rate: number;
  readingsPerCommit: number;
}

/** Generous: a pass of 200,000 readings takes about a second here, several on a Pi. */
const TIMEOUT_MS = 300_000;

/**
 * Runs the agent's buffer in a child process started with the Node flags of `lotwatch-agent`'s
 * shebang, as a gateway runs it: its 1 MB young generation decides what a reading costs in GC, and
 * in the benchmark's own process the agent would get V8's defaults instead.
 */
export function runAcceptPasses(options: AcceptOptions): Promise<AcceptPass[]> {
  return forkForResult<AcceptPass[]>({
    label: "the agent buffer's process",
    script: new URL("./accept-child.js", import.meta.url),
    input: options,
    execArgv: shebangNodeFlags(builtScript("@lotwatch/edge-agent/cli.js")),
    timeoutMs: TIMEOUT_MS,
  });
}
