import { forkForResult } from "./child.js";

export interface LoadOptions {
  url: string;
  /** Paths each connection cycles through. */
  paths: string[];
  connections: number;
  durationSeconds: number;
}

export interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  non2xx: number;
  errors: number;
}

/**
 * Runs autocannon in a child process, so the client does not share the server's event loop, and
 * returns its figures.
 */
export function runLoad(options: LoadOptions): Promise<LoadResult> {
  return forkForResult<LoadResult>({
    label: "autocannon",
    script: new URL("./load-client-child.js", import.meta.url),
    input: options,
    timeoutMs: (options.durationSeconds + 30) * 1000,
  });
}
