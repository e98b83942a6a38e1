import { createHash, timingSafeEqual } from "node:crypto";
import type { MalformedReason } from "../input.js";

/** What a push input answers for one request body. */
export type PushOutcome =
  | { ok: true; accepted: number }
  | { ok: false; status: 400; code: string; message: string };

/** One camera's registration for `POST /v1/lanes/{lane}/reads`. */
export interface PushEndpoint {
  /** The input's name, for logs. */
  readonly input: string;
  readonly lane: string;
  readonly token: string;
  readonly maxBodyBytes: number;
  /** Parses a JSON body and resolves once its readings are committed; rejects when the buffer refuses them. */
  handle(body: unknown): Promise<PushOutcome>;
  /** A request refused before `handle` (bad token, body too large, not JSON), for the input's metrics. */
  refused(reason: MalformedReason): void;
}

/** The registry push inputs join on start and leave on close; the HTTP route looks cameras up here. */
export interface PushEndpoints {
  /** Returns a function that removes the endpoint again. */
  register(endpoint: PushEndpoint): () => void;
  /** Endpoints registered for a lane (several cameras may share one, each with its own token). */
  forLane(lane: string): PushEndpoint[];
  /** The endpoint of `lane` whose token is `token`, compared in constant time; null if none. */
  authorize(lane: string, token: string): PushEndpoint | null;
}

export function createPushEndpoints(): PushEndpoints {
  const byLane = new Map<string, PushEndpoint[]>();
  // Hashing first gives equal-length buffers, so timingSafeEqual never leaks the token's length.
  const digest = (token: string) => createHash("sha256").update(token).digest();
  return {
    register(endpoint) {
      byLane.set(endpoint.lane, [...(byLane.get(endpoint.lane) ?? []), endpoint]);
      return () => {
        const rest = (byLane.get(endpoint.lane) ?? []).filter((other) => other !== endpoint);
        if (rest.length === 0) byLane.delete(endpoint.lane);
        else byLane.set(endpoint.lane, rest);
      };
    },
    forLane: (lane) => byLane.get(lane) ?? [],
    authorize(lane, token) {
      const offered = digest(token);
      let found: PushEndpoint | null = null;
      for (const endpoint of byLane.get(lane) ?? []) {
        if (timingSafeEqual(offered, digest(endpoint.token))) found = endpoint;
      }
      return found;
    },
  };
}
