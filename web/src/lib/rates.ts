import type { StatsGroup } from './api.ts';
import { SMALL_GROUP, type Bar } from './charts.ts';
import { count, interval, percent } from './format.ts';

// How a rate is said everywhere on the site: the rate, the count it rests on, its 95% interval,
// and a mark when the group is too small to say much.

/** Any rate the API gives: counts, the rate and its 95% Wilson interval. */
export type RateLike = Pick<
  StatsGroup,
  'overturned' | 'total' | 'overturnRate' | 'overturnRateLow' | 'overturnRateHigh'
>;

/** The table and CSV note of a group under SMALL_GROUP decisions. */
export const SMALL_NOTE = `small group (under ${SMALL_GROUP} decisions)`;

/** "23.6% (49 of 208)". */
export function rateText(r: RateLike): string {
  return `${percent(r.overturnRate)} (${count(r.overturned)} of ${count(r.total)})`;
}

/** "95% interval 18.3–29.8%". */
export function intervalText(r: RateLike): string {
  return `95% interval ${interval(r.overturnRateLow, r.overturnRateHigh)}`;
}

/** A rate bar: its length, whisker, text and small-group mark. */
export function rateBar(g: RateLike & { label: string }): Bar {
  return {
    label: g.label,
    value: g.overturnRate ?? 0,
    low: g.overturnRateLow,
    high: g.overturnRateHigh,
    note: rateText(g),
    detail: intervalText(g),
    small: g.total < SMALL_GROUP,
  };
}
