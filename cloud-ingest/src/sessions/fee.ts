import type { z } from "zod";
import type { TariffSchema } from "../topology/schema.js";

export type Tariff = z.infer<typeof TariffSchema>;

const HOUR_S = 3600;
const DAY_S = 24 * HOUR_S;

/**
 * The fee of a stay of `durationS` seconds: 0 up to and including `freeMinutes`; past that, every
 * started hour costs `perHour` from the first minute (the free time is a grace period, not a
 * discount), and each started 24 h costs at most `dailyMax`. Rounded to cents.
 */
export function feeFor(durationS: number, tariff: Tariff): number {
  if (durationS <= (tariff.freeMinutes ?? 0) * 60) return 0;
  const cap = (amount: number) =>
    tariff.dailyMax === undefined ? amount : Math.min(amount, tariff.dailyMax);
  const fullDays = Math.floor(durationS / DAY_S);
  const startedHours = Math.ceil((durationS - fullDays * DAY_S) / HOUR_S);
  const fee = fullDays * cap(24 * tariff.perHour) + cap(startedHours * tariff.perHour);
  return Math.round(fee * 100) / 100;
}
