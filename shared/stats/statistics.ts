import {
  type TableDeps,
  SCOPED_DIMENSIONS,
  ALL_VALUE,
  type StatsDimension,
  readTallies,
  readStats,
  type Tally,
} from '../store/index.ts';
import { guidelineLabel, isGuidelineId } from '../taxonomy/index.ts';

// The statistics the API serves and the exports write: one function, so a figure in an export
// file is the figure the site shows.

/** What statistics can be grouped by. */
export const STATS_BY = [
  'category',
  'subcategory',
  'drug',
  'specialty',
  'citationSource',
  'citation',
  'bodyRegion',
  'month',
  'year',
] as const;
export type StatsBy = (typeof STATS_BY)[number];

/** Dimensions a time series (by month or year) can be narrowed to, besides category. */
export const TREND_FILTERS = ['subcategory', 'drug', 'specialty', 'citation'] as const;
export type TrendFilter = (typeof TREND_FILTERS)[number];

export interface StatsRequest {
  by: StatsBy;
  /** Count only items of this category. */
  category?: string;
  /**
   * By month or year only: count only items with this value ("Pharmaceuticals|Opioids", a drug,
   * a specialty, a guideline id). Specialty and citation are counted within the category too.
   */
  filter?: { dimension: TrendFilter; value: string };
  /** Decision months "YYYY-MM", inclusive. A range leaves out letters without a decision date. */
  from?: string;
  to?: string;
}

export interface Rate {
  upheld: number;
  overturned: number;
  total: number;
  /** overturned / total, rounded to 4 places; null when there is nothing to divide. */
  overturnRate: number | null;
  /** The 95% Wilson score interval around the rate, rounded outwards to 4 places; null with it. */
  overturnRateLow: number | null;
  overturnRateHigh: number | null;
}

export interface StatsGroup extends Rate {
  /** The value as stored and as the items filters take it ("Pharmaceuticals|Opioids"). */
  key: string;
  /** The value for people ("Opioids (Pharmaceuticals)", "MTUS: Chronic Pain"). */
  label: string;
}

export interface StatsResult {
  by: StatsBy;
  category: string | null;
  /** The narrowing of a time series, with its value for people; null when none. */
  filter: { dimension: TrendFilter; value: string; label: string } | null;
  from: string | null;
  to: string | null;
  groups: StatsGroup[];
  /**
   * Every item in scope. Groups can overlap (an item may name two body regions, a letter two
   * specialties) or leave items out (a request naming no body region), so totals are counted,
   * not summed from the groups.
   */
  totals: Rate;
}

/** z for a two-sided 95% interval. */
const Z95 = 1.959964;

/**
 * The 95% Wilson score interval of `successes` in `n` trials: unlike the textbook p ± z·se, it
 * stays inside [0, 1] and is honest for small groups and rates near 0 (3 of 3 is not "100% ± 0").
 * Rounded outwards to 4 places so that the rounded interval still contains the true one.
 */
export function wilsonInterval(successes: number, n: number): [number, number] | null {
  if (n <= 0) return null;
  const p = successes / n;
  const z2 = Z95 * Z95;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (Z95 * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  const low = Math.max(0, Math.floor((centre - half) * 10_000) / 10_000);
  const high = Math.min(1, Math.ceil((centre + half) * 10_000) / 10_000);
  return [successes === 0 ? 0 : low, successes === n ? 1 : high];
}

export function rate(t: Tally): Rate {
  const total = t.upheld + t.overturned;
  const interval = wilsonInterval(t.overturned, total);
  return {
    upheld: t.upheld,
    overturned: t.overturned,
    total,
    overturnRate: total === 0 ? null : Math.round((t.overturned / total) * 10_000) / 10_000,
    overturnRateLow: interval?.[0] ?? null,
    overturnRateHigh: interval?.[1] ?? null,
  };
}

/** Upheld/overturned counts grouped by one dimension, optionally within a category and months. */
export async function statistics(deps: TableDeps, request: StatsRequest): Promise<StatsResult> {
  const { by, category } = request;
  const range = { from: request.from, to: request.to };
  const { filter } = request;
  const header = {
    by,
    category: category ?? null,
    filter:
      filter === undefined || (by !== 'month' && by !== 'year')
        ? null
        : { ...filter, label: label(filter.dimension, filter.value, category) },
    from: request.from ?? null,
    to: request.to ?? null,
  };
  const zero = { upheld: 0, overturned: 0 };

  if (by === 'month' || by === 'year') {
    // Months come from the total counters, or the category's own when narrowed to one.
    const dimension: StatsDimension = category === undefined ? 'total' : 'category';
    const value = category ?? ALL_VALUE;
    const read = await readStats(deps, {
      dimension,
      from: range.from ?? '0000-00',
      to: range.to ?? '9999-99',
    });
    let monthly = new Map<string, Tally>();
    for (const [month, values] of read.byMonth) {
      const t = values.get(value);
      if (t !== undefined) monthly.set(month, t);
    }
    if (filter !== undefined) {
      // The filter's own monthly counters, for the months that have any items: one batch read.
      const months = [...monthly.keys()].filter((m) => {
        const t = monthly.get(m)!;
        return t.upheld + t.overturned > 0;
      });
      const scoped = category !== undefined && SCOPED_DIMENSIONS.has(filter.dimension);
      const tallies = await readTallies(
        deps,
        months.map((month) => ({
          dimension: filter.dimension,
          value: filter.value,
          month,
          ...(scoped ? { category } : {}),
        })),
      );
      monthly = new Map(months.map((m, i) => [m, tallies[i]!]));
    }
    const periods = new Map<string, Tally>();
    for (const [month, t] of monthly) {
      const period = by === 'year' ? month.slice(0, 4) : month;
      const cur = periods.get(period) ?? { ...zero };
      cur.upheld += t.upheld;
      cur.overturned += t.overturned;
      periods.set(period, cur);
    }
    const groups = [...periods]
      .filter(([, t]) => t.upheld + t.overturned > 0)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, t]) => ({ key, label: key, ...rate(t) }));
    return { ...header, groups, totals: rate(sum(groups)) };
  }

  const scoped = category !== undefined && SCOPED_DIMENSIONS.has(by);
  const [read, totalsRead] = await Promise.all([
    readStats(deps, { dimension: by, ...(scoped ? { category } : {}), ...range }),
    by === 'category' && category === undefined
      ? null
      : readStats(deps, {
          dimension: category === undefined ? 'total' : 'category',
          ...range,
        }),
  ]);
  let entries = [...read.groups];
  if (category !== undefined && !scoped) {
    // Category, subcategory and drug values already name their category (drugs are
    // pharmaceuticals only), so narrowing is a filter over the unscoped counters.
    if (by === 'category') entries = entries.filter(([k]) => k === category);
    if (by === 'subcategory') entries = entries.filter(([k]) => k.startsWith(`${category}|`));
    if (by === 'drug' && category !== 'Pharmaceuticals') entries = [];
  }
  const groups = entries
    .map(([key, t]) => ({ key, label: label(by, key, category), ...rate(t) }))
    .sort((a, b) => b.total - a.total || a.key.localeCompare(b.key));
  const totals =
    totalsRead === null
      ? sum(groups)
      : (totalsRead.groups.get(category ?? ALL_VALUE) ?? { ...zero });
  return { ...header, groups, totals: rate(totals) };
}

function sum(groups: readonly Tally[]): Tally {
  const out = { upheld: 0, overturned: 0 };
  for (const g of groups) {
    out.upheld += g.upheld;
    out.overturned += g.overturned;
  }
  return out;
}

function label(by: StatsBy | TrendFilter, key: string, category: string | undefined): string {
  if (by === 'citation' && isGuidelineId(key)) return guidelineLabel(key);
  const bar = key.indexOf('|');
  if (bar < 0) return key;
  const [head, tail] = [key.slice(0, bar), key.slice(bar + 1)];
  if (by === 'subcategory') return category === undefined ? `${tail} (${head})` : tail;
  if (by === 'citation') return `${head}: ${tail}`;
  return key;
}
