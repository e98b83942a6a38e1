import type { Socket } from "node:net";

/**
 * Bytes the broker may hold for one client's socket before that client counts as a slow consumer.
 * aedes waits for `drain` when a socket's buffer is full (drainTimeout bounds the wait); this
 * bounds the memory of what queued in front of it meanwhile.
 */
export const DEFAULT_MAX_CLIENT_WRITE_BUFFER_BYTES = 1024 * 1024;
/**
 * aedes' own default is 60 s. While a delivery waits for a frozen subscriber's socket it holds one
 * of aedes' 100 delivery slots; a flood of messages to that subscriber takes them all and holds up
 * every PUBACK until the wait ends, so the wait is kept short.
 */
export const DEFAULT_DRAIN_TIMEOUT_MS = 2_000;
const CHECK_INTERVAL_MS = 250;

export interface SlowConsumerGuard {
  watch(socket: Socket, onSlow: (queuedBytes: number) => void): void;
  close(): void;
}

/** Destroys a socket whose unsent bytes exceed `maxBytes`: it stopped reading, or reads too slowly. */
export function createSlowConsumerGuard(maxBytes: number): SlowConsumerGuard {
  const watched = new Map<Socket, (queuedBytes: number) => void>();
  const timer = setInterval(() => {
    for (const [socket, onSlow] of watched) {
      if (socket.writableLength <= maxBytes) continue;
      watched.delete(socket);
      const queued = socket.writableLength;
      socket.destroy();
      onSlow(queued);
    }
  }, CHECK_INTERVAL_MS);
  timer.unref();
  return {
    watch(socket, onSlow) {
      watched.set(socket, onSlow);
      socket.once("close", () => watched.delete(socket));
    },
    close() {
      clearInterval(timer);
      watched.clear();
    },
  };
}
