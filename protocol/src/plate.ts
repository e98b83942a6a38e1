/** Upper case with spaces, dashes and dots removed: `ka-01 ab 1234` → `KA01AB1234`. */
export function normalizePlate(plate: string): string {
  return plate.toUpperCase().replace(/[\s.-]/g, "");
}

/** Characters ANPR cameras commonly confuse, each group mapped to one representative. */
const CONFUSABLE_GROUPS = ["O0DQ", "I1L", "B8", "S5", "Z2", "G6"];
const REPRESENTATIVE = new Map<string, string>();
for (const group of CONFUSABLE_GROUPS) for (const ch of group) REPRESENTATIVE.set(ch, group[0] as string);

/** A key equal for two normalized plates that differ only in confusable characters. */
export function confusableKey(normalized: string): string {
  let key = "";
  for (const ch of normalized) key += REPRESENTATIVE.get(ch) ?? ch;
  return key;
}

/** True when two normalized plates differ in exactly one position, by confusable characters. */
export function differsByOneConfusable(a: string, b: string): boolean {
  if (a.length !== b.length || a === b) return false;
  let differences = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as string;
    const y = b[i] as string;
    if (x === y) continue;
    if (++differences > 1) return false;
    if ((REPRESENTATIVE.get(x) ?? x) !== (REPRESENTATIVE.get(y) ?? y)) return false;
  }
  return differences === 1;
}
