import { type CliIo, EXIT_FAILURE, EXIT_OK } from "./cli-io.js";

export const DEFAULT_STATUS_URL = "http://127.0.0.1:9100";

/** `lotwatch-agent status [--url]`: asks a running agent for GET /v1/status and prints the answer. */
export async function statusCommand(url: string, io: CliIo, timeoutMs = 5000): Promise<number> {
  const target = `${url.replace(/\/+$/, "")}/v1/status`;
  let response: Response;
  try {
    response = await fetch(target, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const cause = (error as Error & { cause?: { code?: string; message?: string } }).cause;
    const reason = cause?.code ?? cause?.message ?? (error as Error).message;
    io.err(`cannot reach the agent at ${target}: ${reason}; is it running, and is --url its http address?`);
    return EXIT_FAILURE;
  }
  const body = await response.text();
  if (!response.ok) {
    io.err(`the agent answered ${response.status} from ${target}: ${body}`);
    return EXIT_FAILURE;
  }
  try {
    io.out(JSON.stringify(JSON.parse(body), null, 2));
  } catch {
    io.err(`the agent at ${target} answered something that is not JSON: ${body.slice(0, 200)}`);
    return EXIT_FAILURE;
  }
  return EXIT_OK;
}
