import type { GatewayGap, LotwatchEvent } from "@lotwatch/protocol/events.js";
import { newEventId } from "@lotwatch/protocol/ids.js";
import { at } from "../../test-support/fixtures.js";

/** A `gateway.gap` event as the agent sends it: its own seq, naming `fromSeq..toSeq`. */
export function gapEvent(
  seq: number,
  fromSeq: number,
  toSeq: number,
  reason = "buffer-cap-bytes",
): GatewayGap {
  return {
    type: "gateway.gap",
    id: newEventId(),
    seq,
    site: "mall-a",
    occurredAt: at(seq * 1000),
    fromSeq,
    toSeq,
    reason,
  };
}

/** Door crossings with the given seqs: the readings that did arrive. */
export function crossings(...seqs: number[]): LotwatchEvent[] {
  return seqs.map((seq) => ({
    type: "door.crossing",
    id: newEventId(),
    seq,
    site: "mall-a",
    occurredAt: at(seq * 1000),
    door: "door-1",
    direction: 1,
  }));
}
