import { v7 } from "uuid";

/** Identifier patterns shared by topics and events: no MQTT wildcards or level separators. */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** A new UUIDv7: time-ordered, so ids made at the edge sort by creation. */
export function newEventId(): string {
  return v7();
}
