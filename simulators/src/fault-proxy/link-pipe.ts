import type { Socket } from "node:net";
import type { LinkConditions } from "./link-conditions.js";

export interface LinkPipeOptions {
  from: Socket;
  to: Socket;
  /** Read on every chunk and every pump, so a change applies to traffic at once. */
  conditions: () => LinkConditions;
  /** [0, 1): decides the drop-probability draws. */
  random: () => number;
  /** A chunk was picked to be dropped: the proxy resets the whole connection. */
  onDrop: () => void;
  onForwarded: (bytes: number) => void;
  /** A chunk was lost on the wire this many times before it got through. */
  onLost?: (times: number) => void;
  /** Bytes held before the source is paused (TCP backpressure to the sender). */
  highWaterBytes?: number;
}

/** One direction of a proxied connection. */
export interface LinkPipe {
  /** The conditions changed (a stall ended, the latency changed): forward whatever is due now. */
  wake(): void;
  /** Bytes read from the source and not yet written on. */
  queuedBytes(): number;
  dispose(): void;
}

const DEFAULT_HIGH_WATER_BYTES = 256 * 1024;
/** Retransmissions of one chunk, each after twice the timeout before (exponential backoff). */
const MAX_LOSSES_IN_A_ROW = 6;

interface Held {
  chunk: Buffer;
  /** performance.now() at which the chunk may be written on. */
  dueAt: number;
}

/**
 * Moves bytes from one socket to the other under the link's conditions. Chunks keep their order;
 * each is held until its latency (and its turn on a bandwidth-limited wire) has passed, and not at
 * all while the link is stalled. Held bytes are bounded: past the high-water mark the source is
 * paused, so a stalled or slow link pushes back on the sender as a real one would.
 */
export function createLinkPipe(options: LinkPipeOptions): LinkPipe {
  const highWater = options.highWaterBytes ?? DEFAULT_HIGH_WATER_BYTES;
  const { from, to } = options;
  const held: Held[] = [];
  let heldBytes = 0;
  let lastDueAt = 0;
  let wireFreeAt = 0;
  let timer: NodeJS.Timeout | null = null;
  let waitingForDrain = false;
  let sourceEnded = false;
  let disposed = false;

  function onData(chunk: Buffer): void {
    const conditions = options.conditions();
    if (conditions.dropProbability > 0 && options.random() < conditions.dropProbability) {
      options.onDrop();
      return;
    }
    const now = performance.now();
    let sentAt = now;
    let retransmitDelay = 0;
    if (conditions.lossProbability > 0) {
      let losses = 0;
      while (losses < MAX_LOSSES_IN_A_ROW && options.random() < conditions.lossProbability) losses++;
      if (losses > 0) {
        retransmitDelay = conditions.retransmitMs * (2 ** losses - 1);
        options.onLost?.(losses);
      }
    }
    if (conditions.bytesPerSecond > 0) {
      sentAt = Math.max(now, wireFreeAt) + (chunk.length * 1000) / conditions.bytesPerSecond;
      wireFreeAt = sentAt;
    }
    // A chunk never overtakes the one before it, even when the latency was just lowered.
    lastDueAt = Math.max(sentAt + conditions.latencyMs + retransmitDelay, lastDueAt);
    held.push({ chunk, dueAt: lastDueAt });
    heldBytes += chunk.length;
    if (heldBytes >= highWater) from.pause();
    pump();
  }

  function onEnd(): void {
    sourceEnded = true;
    pump();
  }

  function onDrain(): void {
    waitingForDrain = false;
    pump();
  }

  function pump(): void {
    if (disposed || waitingForDrain || timer !== null || to.destroyed) return;
    if (options.conditions().state !== "open") return;
    const now = performance.now();
    let head = held[0];
    while (head !== undefined && head.dueAt <= now) {
      held.shift();
      heldBytes -= head.chunk.length;
      options.onForwarded(head.chunk.length);
      if (!to.write(head.chunk)) {
        waitingForDrain = true;
        to.once("drain", onDrain);
        break;
      }
      head = held[0];
    }
    if (head !== undefined && !waitingForDrain) {
      timer = setTimeout(
        () => {
          timer = null;
          pump();
        },
        Math.max(1, Math.ceil(head.dueAt - now)),
      );
    }
    if (heldBytes < highWater / 2 && from.isPaused() && !sourceEnded) from.resume();
    // The sender half-closed: pass the FIN on once everything before it is through.
    if (sourceEnded && held.length === 0 && !to.writableEnded) to.end();
  }

  from.on("data", onData);
  from.on("end", onEnd);

  return {
    wake() {
      if (timer !== null) clearTimeout(timer);
      timer = null;
      pump();
    },
    queuedBytes: () => heldBytes,
    dispose() {
      disposed = true;
      if (timer !== null) clearTimeout(timer);
      timer = null;
      from.off("data", onData);
      from.off("end", onEnd);
      to.off("drain", onDrain);
    },
  };
}
