import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { SummaryRecord } from "../summary-record.js";

export interface WebhookServer {
  url: string;
  /** Every record of every accepted POST, in arrival order (repeats included). */
  records: SummaryRecord[];
  /** Requests seen, refused ones included. */
  requests(): number;
  /** Resolves once `count` distinct records arrived; rejects after `timeoutMs`. */
  waitForRecords(count: number, timeoutMs?: number): Promise<SummaryRecord[]>;
  close(): Promise<void>;
}

/** A billing endpoint on 127.0.0.1 that answers 503 to its first `failFirst` requests. */
export async function startWebhookServer(failFirst = 0, port = 0): Promise<WebhookServer> {
  const records: SummaryRecord[] = [];
  let requests = 0;
  const server: Server = createServer((request, response) => {
    requests++;
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      if (requests <= failFirst) {
        response.writeHead(503).end("down for maintenance");
        return;
      }
      records.push(...(JSON.parse(Buffer.concat(chunks).toString("utf8")) as SummaryRecord[]));
      response.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const distinct = () => new Set(records.map((record) => record.recordId)).size;
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/summaries`,
    records,
    requests: () => requests,
    async waitForRecords(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (distinct() < count) {
        if (Date.now() > deadline)
          throw new Error(`got ${distinct()} of ${count} records in ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return records;
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
