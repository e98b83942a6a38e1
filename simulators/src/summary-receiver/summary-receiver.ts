import { open } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { LotwatchError } from "@lotwatch/protocol/errors.js";
import type { Logger } from "../log.js";

export interface SummaryReceiverOptions {
  /** Every record received is appended here as one JSON line. */
  out: string;
  /** Answer the first N requests with 503, as a billing system that is down. Default 0. */
  failFirst?: number;
  host?: string;
  /** 0 = any free port. */
  port?: number;
  /** Larger bodies are refused with 413. Default 10 MiB. */
  maxBodyBytes?: number;
  logger: Logger;
}

export interface SummaryReceiver {
  url: string;
  /** Records appended so far. */
  received(): number;
  /** Requests seen, refused ones included. */
  requests(): number;
  close(): Promise<void>;
}

/**
 * The billing side of the ingest's summary webhook: takes `POST` with a JSON array of summary
 * records (or one record), appends each as a line to `out`, fsyncs, and only then answers 200.
 * It keeps repeats as they come: deduping by `recordId` is the consumer's job, and tests want to
 * see what was sent.
 */
export async function startSummaryReceiver(options: SummaryReceiverOptions): Promise<SummaryReceiver> {
  const { logger } = options;
  const failFirst = options.failFirst ?? 0;
  const maxBodyBytes = options.maxBodyBytes ?? 10 * 1024 * 1024;
  let requests = 0;
  let received = 0;
  // One append at a time, so concurrent requests never interleave their lines.
  let writing: Promise<unknown> = Promise.resolve();

  const append = (lines: string[]) => {
    const next = writing.then(async () => {
      const handle = await open(options.out, "a");
      try {
        await handle.write(lines.map((line) => `${line}\n`).join(""));
        await handle.sync();
      } finally {
        await handle.close();
      }
    });
    writing = next.catch(() => undefined);
    return next;
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const number = ++requests;
    if (request.method !== "POST") return reply(response, 405, { error: "POST summary records here" });
    const body = await readBody(request, maxBodyBytes);
    if (body === null) return reply(response, 413, { error: `body over ${maxBodyBytes} bytes` });
    if (number <= failFirst) {
      logger.info({ request: number, failFirst }, "refusing the request with 503 (--fail-first)");
      response.setHeader("retry-after", "1");
      return reply(response, 503, { error: `down for request ${number} of the first ${failFirst}` });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString("utf8"));
    } catch (error) {
      return reply(response, 400, { error: `not JSON: ${(error as Error).message}` });
    }
    const records = Array.isArray(parsed) ? parsed : [parsed];
    if (!records.every((record) => typeof record === "object" && record !== null && !Array.isArray(record))) {
      return reply(response, 400, { error: "expected a JSON array of summary records" });
    }
    await append(records.map((record) => JSON.stringify(record)));
    received += records.length;
    logger.info({ request: number, records: records.length, total: received }, "summary records received");
    return reply(response, 200, { received: records.length });
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      logger.error({ err: error }, "could not store the records");
      if (!response.headersSent) reply(response, 500, { error: "could not store the records" });
    });
  });
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error) =>
      reject(
        new LotwatchError("LISTEN_FAILED", `cannot listen on ${host}:${options.port ?? 0}: ${error.message}`),
      ),
    );
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}/summaries`,
    received: () => received,
    requests: () => requests,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

/** The request body, or null once it passes `limit` (the rest is drained, not kept). */
function readBody(request: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    request.on("end", () => resolve(size > limit ? null : Buffer.concat(chunks)));
    request.on("error", reject);
  });
}
