import type { Context } from "hono";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { Logger } from "../../common/logger.js";
import type { PushEndpoint, PushEndpoints } from "../../inputs/camera-http/push-endpoints.js";

const BEARER = /^Bearer +([^\s]+) *$/i;

/**
 * `POST /v1/lanes/{lane}/reads`: camera pushes. Order of checks: a camera for the lane, its bearer
 * token (before any body is read), the body size, JSON; then the input parses and commits, and only
 * then does the answer say 202.
 */
export function laneReadsRoutes(endpoints: PushEndpoints, logger: Logger): Hono {
  return new Hono().post("/v1/lanes/:lane/reads", async function laneReads(c) {
    const lane = c.req.param("lane");
    const cameras = endpoints.forLane(lane);
    const first = cameras[0];
    if (first === undefined) {
      return fail(
        c,
        404,
        "UNKNOWN_LANE",
        `no camera-http input serves lane "${lane}"; check the URL and the agent's inputs`,
      );
    }
    const token = BEARER.exec(c.req.header("authorization") ?? "")?.[1];
    const endpoint = token === undefined ? null : endpoints.authorize(lane, token);
    if (endpoint === null) {
      first.refused("unauthorized");
      c.header("www-authenticate", 'Bearer realm="lotwatch-agent"');
      return fail(
        c,
        401,
        "UNAUTHORIZED",
        token === undefined
          ? "send the camera's token as Authorization: Bearer <token>"
          : `the token is not the one configured for lane "${lane}"`,
      );
    }
    if ((c.req.header("content-type") ?? "").toLowerCase().startsWith("multipart/")) {
      endpoint.refused("json");
      return fail(
        c,
        415,
        "UNSUPPORTED_MEDIA_TYPE",
        "send the read as a JSON body (a webhook with image is not accepted)",
      );
    }
    const limited = bodyLimit({
      maxSize: endpoint.maxBodyBytes,
      onError: (c) => {
        endpoint.refused("too-large");
        return fail(
          c,
          413,
          "BODY_TOO_LARGE",
          `the body is larger than ${endpoint.maxBodyBytes} bytes (maxBodyBytes)`,
        );
      },
    });
    let answer: Response | undefined;
    const limitedAnswer = await limited(c, async () => {
      answer = await handleBody(c, endpoint, logger);
    });
    return limitedAnswer ?? (answer as Response);
  });
}

async function handleBody(c: Context, endpoint: PushEndpoint, logger: Logger): Promise<Response> {
  const text = await c.req.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    endpoint.refused("json");
    return fail(c, 400, "INVALID_JSON", `the body is not JSON: ${(error as Error).message}`);
  }
  try {
    const outcome = await endpoint.handle(body);
    if (!outcome.ok) return fail(c, outcome.status, outcome.code, outcome.message);
    return c.json({ accepted: outcome.accepted }, 202);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "BUFFER_FULL") {
      c.header("retry-after", "30");
      return fail(
        c,
        503,
        "BUFFER_FULL",
        "the gateway's disk is full; the read was not stored, send it again later",
      );
    }
    if (code === "BUFFER_CLOSED") {
      c.header("retry-after", "5");
      return fail(c, 503, "AGENT_STOPPING", "the agent is stopping; the read was not stored, send it again");
    }
    logger.error({ err: error, input: endpoint.input }, "camera read could not be stored");
    return fail(c, 500, "STORE_FAILED", "the read could not be stored; see the agent's log");
  }
}

function fail(c: Context, status: ContentfulStatusCode, code: string, message: string): Response {
  return c.json({ error: { code, message } }, status);
}
