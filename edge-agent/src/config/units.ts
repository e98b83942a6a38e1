const BYTE_UNITS: Record<string, number> = {
  b: 1,
  kb: 1024,
  kib: 1024,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
  tb: 1024 ** 4,
  tib: 1024 ** 4,
};

const DURATION_UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** "2GB" → 2147483648 (units are powers of 1024, KB and KiB alike); null when unreadable. */
export function parseByteSize(text: string): number | null {
  return parseWithUnits(text, BYTE_UNITS, "b");
}

/** "14d" → milliseconds; units ms, s, m, h, d, w; null when unreadable. */
export function parseDuration(text: string): number | null {
  return parseWithUnits(text, DURATION_UNITS, null);
}

function parseWithUnits(
  text: string,
  units: Record<string, number>,
  defaultUnit: string | null,
): number | null {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  if (!match) return null;
  const unit = (match[2] ?? "").toLowerCase() || defaultUnit;
  if (unit === null) return null;
  const factor = units[unit];
  if (factor === undefined) return null;
  const value = Math.round(Number(match[1]) * factor);
  return value > 0 && Number.isSafeInteger(value) ? value : null;
}
