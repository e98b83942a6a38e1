import { z } from "zod";
import { BAD_PARAMETER, defineRoute } from "../openapi/route-spec.js";
import { idParam, wholeNumberParam } from "../validation/params.js";

export const DEFAULT_GAP_LIMIT = 1000;
const MAX_GAP_LIMIT = 10_000;
const seq = z.int().positive();

export const gapsRoute = defineRoute({
  method: "get",
  path: "/v1/gateways/:gateway/gaps",
  operationId: "listGatewayGaps",
  summary: "The seqs a gateway dropped (buffer cap, full disk) and reported with gateway.gap events",
  description:
    "A gap names seqs the gateway no longer has. A row dropped while in flight may still have " +
    "arrived: `arrived` counts those, so `count - arrived` seqs of a gap are missing at the ingest.",
  tag: "operations",
  access: "api-key",
  params: z.object({ gateway: idParam("gateway id") }),
  query: z.strictObject({
    after: wholeNumberParam(
      0,
      Number.MAX_SAFE_INTEGER,
      "only gap events with a higher seq: nextAfter of the previous page",
    ).optional(),
    limit: wholeNumberParam(1, MAX_GAP_LIMIT, "gap events per page", DEFAULT_GAP_LIMIT).optional(),
  }),
  response: {
    description: "the gateway's gap events, by their own seq",
    contentType: "application/json",
    schema: z.object({
      gateway: z.string(),
      lost: z
        .int()
        .nonnegative()
        .describe("seqs named by all the gateway's gap events, not only this page's"),
      gaps: z.array(
        z.object({
          seq: seq.describe("the gap event's own seq"),
          fromSeq: seq,
          toSeq: seq,
          count: z.int().positive().describe("toSeq - fromSeq + 1"),
          reason: z.string().describe("buffer-cap-bytes, buffer-cap-age or disk-full"),
          occurredAt: z.iso.datetime().describe("when the gateway dropped them, by its clock"),
          arrived: z.int().nonnegative().describe("of these seqs, how many the ingest holds anyway"),
        }),
      ),
      nextAfter: seq.nullable().describe("pass as `after` for the next page; null on the last"),
    }),
  },
  errors: [
    BAD_PARAMETER,
    { status: 404, codes: ["unknown_gateway"], description: "the ingest never heard from this gateway" },
  ],
});
