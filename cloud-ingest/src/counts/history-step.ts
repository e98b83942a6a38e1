const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const SHORT = /^(\d+)(s|m|h|d)$/;
const ISO = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/**
 * A history step in ms, from `30s`, `5m`, `1h`, `1d` or an ISO-8601 duration such as `PT5M` or
 * `P1DT12H`; null when the text is neither or the step is zero.
 */
export function parseStep(text: string): number | null {
  const short = SHORT.exec(text);
  if (short !== null) {
    const ms = Number(short[1]) * UNIT_MS[short[2] as keyof typeof UNIT_MS];
    return ms > 0 ? ms : null;
  }
  const iso = ISO.exec(text.toUpperCase());
  if (iso === null || text.toUpperCase().endsWith("T")) return null;
  const [, days, hours, minutes, seconds] = iso;
  if ([days, hours, minutes, seconds].every((part) => part === undefined)) return null;
  const ms =
    Number(days ?? 0) * UNIT_MS.d +
    Number(hours ?? 0) * UNIT_MS.h +
    Number(minutes ?? 0) * UNIT_MS.m +
    Math.round(Number(seconds ?? 0) * 1000);
  return ms > 0 ? ms : null;
}

/** The step boundaries from `from` to `to`, both inclusive when `to` falls on one. */
export function stepTimes(from: number, to: number, step: number): number[] {
  const times: number[] = [];
  for (let t = from; t <= to; t += step) times.push(t);
  return times;
}

/** How many boundaries `stepTimes` would return, without building them. */
export function stepCount(from: number, to: number, step: number): number {
  return to < from ? 0 : Math.floor((to - from) / step) + 1;
}
