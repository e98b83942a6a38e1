/** Offsets are looked up once per quarter hour: every zone's offsets and changes fall on one. */
const BUCKET_MS = 15 * 60_000;

/** Whether `name` is a time zone this Node.js knows (IANA, e.g. "Europe/Berlin"). */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/**
 * The zone's offset from UTC at each instant (ms, east positive), daylight saving included: wall
 * clock time = t + offset(t).
 */
export function zoneOffset(timeZone: string): (t: number) => number {
  const format = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
  });
  const cache = new Map<number, number>();
  return (t) => {
    const bucket = Math.floor(t / BUCKET_MS);
    let offset = cache.get(bucket);
    if (offset === undefined) {
      const at = bucket * BUCKET_MS;
      const part = Object.fromEntries(
        format.formatToParts(at).map(({ type, value }) => [type, Number(value)]),
      );
      offset = Date.UTC(part.year ?? 0, (part.month ?? 1) - 1, part.day, part.hour, part.minute) - at;
      cache.set(bucket, offset);
    }
    return offset;
  };
}
