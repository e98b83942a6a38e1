import {
  type ForecastPoint,
  type ModelState,
  SeasonalModel,
  type SeasonalModelOptions,
} from "./seasonal-model.js";

/** Counts of one space at each of `times` (ms), in order: `Store.countsAt`. */
export type HistoryReader = (site: string, space: string, times: readonly number[]) => Promise<number[]>;

export interface ForecasterOptions {
  history: HistoryReader;
  now?: () => number;
  /** How far back a model is trained from. Default 28 days. */
  trainingMs?: number;
  /** Most grid points one training reads (a small step shortens the training span). Default 10,000. */
  maxTrainingPoints?: number;
  /**
   * A model is retrained from scratch this long after it was built, so events that arrived late
   * and rewrote past counts reach it; in between it learns each new step incrementally. Default 1 hour.
   */
  rebuildMs?: number;
  /** Models kept (one per site, space and step); the least recently used goes. Default 500. */
  maxModels?: number;
  model?: Omit<SeasonalModelOptions, "stepMs">;
}

export interface ForecastRequest {
  site: string;
  space: string;
  stepMs: number;
  /** The site's time zone (SeasonalModelOptions.timeZone); UTC when absent. */
  timeZone?: string | undefined;
  /** Points from the next grid time after now, every step, up to now + horizon. */
  horizonMs: number;
}

export interface SpaceForecast {
  at: number;
  points: ForecastPoint[];
  model: ModelState & { builtAt: number };
}

export interface Forecaster {
  forecast(request: ForecastRequest): Promise<SpaceForecast>;
}

interface Entry {
  model: SeasonalModel;
  builtAt: number;
  /** The last grid time read from the history. */
  readTo: number;
}

/**
 * History starts with the first count above zero: before it the space was not counted yet, and
 * weeks of zeros would teach the model an empty lot.
 */
function feed(entry: Entry, times: readonly number[], counts: readonly number[]): void {
  times.forEach((t, i) => {
    const count = counts[i] ?? 0;
    if (count > 0 || entry.model.lastObservedAt !== null) entry.model.observe(t, count);
  });
  entry.readTo = times.at(-1) ?? entry.readTo;
}

/** Counts are read in pieces of this many times, so no single query grows without bound. */
const READ_CHUNK = 1000;

/**
 * Keeps a trained `SeasonalModel` per (site, space, step), fed from the count history on the
 * step grid (multiples of the step since the epoch). Concurrent requests share one update.
 */
export function createForecaster(options: ForecasterOptions): Forecaster {
  const now = options.now ?? Date.now;
  const trainingMs = options.trainingMs ?? 28 * 86_400_000;
  const maxPoints = options.maxTrainingPoints ?? 10_000;
  const rebuildMs = options.rebuildMs ?? 3_600_000;
  const maxModels = options.maxModels ?? 500;
  const entries = new Map<string, Entry>();
  const updating = new Map<string, Promise<Entry>>();

  async function read(site: string, space: string, from: number, to: number, step: number) {
    const times: number[] = [];
    for (let t = from; t <= to; t += step) times.push(t);
    const counts: number[] = [];
    for (let i = 0; i < times.length; i += READ_CHUNK) {
      counts.push(...(await options.history(site, space, times.slice(i, i + READ_CHUNK))));
    }
    return { times, counts };
  }

  async function build(request: ForecastRequest, last: number, at: number): Promise<Entry> {
    const { site, space, stepMs } = request;
    const span = Math.min(trainingMs, (maxPoints - 1) * stepMs);
    const { times, counts } = await read(site, space, last - span, last, stepMs);
    const model = new SeasonalModel({ stepMs, ...options.model, timeZone: request.timeZone });
    const entry = { model, builtAt: at, readTo: last };
    feed(entry, times, counts);
    return entry;
  }

  async function update(key: string, request: ForecastRequest, at: number): Promise<Entry> {
    const last = Math.floor(at / request.stepMs) * request.stepMs;
    const entry = entries.get(key);
    if (entry === undefined || at - entry.builtAt >= rebuildMs) return build(request, last, at);
    if (entry.readTo < last) {
      const { site, space, stepMs } = request;
      const { times, counts } = await read(site, space, entry.readTo + stepMs, last, stepMs);
      feed(entry, times, counts);
    }
    return entry;
  }

  return {
    async forecast(request) {
      const key = `${request.site}\u0000${request.space}\u0000${request.stepMs}`;
      const at = now();
      let pending = updating.get(key);
      if (pending === undefined) {
        pending = update(key, request, at).finally(() => updating.delete(key));
        updating.set(key, pending);
      }
      const [entry, latest] = await Promise.all([
        pending,
        options.history(request.site, request.space, [at]),
      ]);
      entries.delete(key);
      entries.set(key, entry);
      if (entries.size > maxModels) entries.delete(entries.keys().next().value ?? key);
      const start = Math.floor(at / request.stepMs) * request.stepMs + request.stepMs;
      const times: number[] = [];
      for (let t = start; t <= at + request.horizonMs; t += request.stepMs) times.push(t);
      return {
        at,
        points: entry.model.forecast(times, { t: at, count: latest[0] ?? 0 }),
        model: { ...entry.model.state(), builtAt: entry.builtAt },
      };
    },
  };
}
