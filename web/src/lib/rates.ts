import type { StatsGroup } from './api.ts';
import { SMALL_GROUP, type Bar } from './charts.ts';
import { count, interval, percent } from './format.ts';
import { DICTIONARIES, type Lang } from './i18n/index.ts';

// How a rate is said everywhere on the site: the rate, the count it rests on, its 95% interval,
// and a mark when the group is too small to say much.

/** Any rate the API gives: counts, the rate and its 95% Wilson interval. */
export type RateLike = Pick<
  StatsGroup,
  'overturned' | 'total' | 'overturnRate' | 'overturnRateLow' | 'overturnRateHigh'
>;

/** The table and CSV note of a group under SMALL_GROUP decisions. */
export function smallNote(lang: Lang = 'en'): string {
  return DICTIONARIES[lang].rates.smallNote(SMALL_GROUP);
}

/** "23.6% (49 of 208)". */
export function rateText(r: RateLike, lang: Lang = 'en'): string {
  return DICTIONARIES[lang].rates.rate(
    percent(r.overturnRate, lang),
    count(r.overturned, lang),
    count(r.total, lang),
  );
}

/** "95% interval 18.3–29.8%". */
export function intervalText(r: RateLike, lang: Lang = 'en'): string {
  return DICTIONARIES[lang].rates.interval(interval(r.overturnRateLow, r.overturnRateHigh, lang));
}

/** A rate bar: its length, whisker, text and small-group mark. */
export function rateBar(g: RateLike & { label: string }, lang: Lang = 'en'): Bar {
  return {
    label: g.label,
    value: g.overturnRate ?? 0,
    low: g.overturnRateLow,
    high: g.overturnRateHigh,
    note: rateText(g, lang),
    detail: intervalText(g, lang),
    small: g.total < SMALL_GROUP,
  };
}
