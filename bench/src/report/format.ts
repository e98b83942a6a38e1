/** A figure for a table: thousands separated when large, three significant digits when small. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return "n/a";
  const magnitude = Math.abs(value);
  if (magnitude >= 1000) return Math.round(value).toLocaleString("en-US");
  if (magnitude >= 100) return value.toFixed(0);
  if (magnitude >= 10) return value.toFixed(1);
  if (magnitude >= 1) return value.toFixed(2);
  if (magnitude === 0) return "0";
  // Three digits, so a ratio just under its target (0.495 against 0.5) does not print as 0.50.
  return value.toPrecision(3);
}

/** 1000 → "1k", 10000000 → "10M": axis labels for counts. */
export function formatCompact(value: number): string {
  const units: Array<[number, string]> = [
    [1e9, "G"],
    [1e6, "M"],
    [1e3, "k"],
  ];
  for (const [size, suffix] of units) {
    if (Math.abs(value) >= size) return `${Number((value / size).toPrecision(3))}${suffix}`;
  }
  return `${Number(value.toPrecision(3))}`;
}

export function formatTarget(target: { op: ">=" | "<="; value: number } | undefined, unit: string): string {
  if (target === undefined) return "";
  return `${target.op === ">=" ? "≥" : "≤"} ${formatNumber(target.value)} ${unit}`;
}
