import type { Socket } from "node:net";

/**
 * Follows MQTT packet boundaries in a byte stream by reading only each fixed header: one type
 * byte, then the Remaining Length as a variable byte integer of at most four bytes [MQTT-2.2.3].
 */
export interface PacketSizeTracker {
  /** The announced size of the first packet in `chunk` over the limit, or null if none is. */
  push(chunk: Buffer): number | null;
}

/** A Remaining Length longer than four bytes is malformed; report it as bigger than anything allowed. */
const MALFORMED = Number.POSITIVE_INFINITY;

export function createPacketSizeTracker(maxPacketBytes: number): PacketSizeTracker {
  let skip = 0;
  let inLength = false;
  let length = 0;
  let lengthBytes = 0;
  return {
    push(chunk) {
      let i = 0;
      while (i < chunk.length) {
        if (skip > 0) {
          const n = Math.min(skip, chunk.length - i);
          skip -= n;
          i += n;
          continue;
        }
        const byte = chunk.readUInt8(i++);
        if (!inLength) {
          inLength = true;
          length = 0;
          lengthBytes = 0;
          continue;
        }
        length += (byte & 0x7f) * 128 ** lengthBytes;
        lengthBytes++;
        if ((byte & 0x80) !== 0) {
          if (lengthBytes === 4) return MALFORMED;
          continue;
        }
        const size = 1 + lengthBytes + length;
        if (size > maxPacketBytes) return size;
        inLength = false;
        skip = length;
      }
      return null;
    },
  };
}

/**
 * Destroys the connection as soon as a packet header announces more than `maxPacketBytes`, before
 * the body arrives: aedes has no packet limit of its own and would buffer the whole packet.
 *
 * Must be attached after aedes took the socket: aedes pulls data with 'readable' + read(), and a
 * 'data' listener then sees each chunk as read() returns it, before aedes parses it.
 */
export function guardPacketSize(
  socket: Socket,
  maxPacketBytes: number,
  onOversize: (size: number) => void,
): void {
  const tracker = createPacketSizeTracker(maxPacketBytes);
  const onData = (chunk: Buffer) => {
    const size = tracker.push(chunk);
    if (size === null) return;
    socket.off("data", onData);
    socket.destroy();
    onOversize(size);
  };
  socket.on("data", onData);
}
