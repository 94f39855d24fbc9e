import type { z } from 'zod';
import type { Decision } from '../record/index.ts';
import { requestTerms } from '../search/index.ts';
import {
  subcategoryValue,
  type ItemSummary,
  ALL_VALUE,
  UNDATED_YEAR,
  type IndexDimension,
} from '../store/index.ts';
import {
  checkDrug,
  checkRange,
  dayOf,
  DEFAULT_LIMIT,
  queryTerms,
  resolveSubcategory,
  type itemsQuerySchema,
} from './params.ts';

// What an items query reads, decided from the query alone so that it can be checked without a
// table: shared/api/items.ts carries the plan out against the index.

export type ItemsQuery = z.output<typeof itemsQuerySchema>;

export interface ItemsReadPlan {
  limit: number;
  /** First and last decision day, inclusive; null when that end is open. */
  from: string | null;
  to: string | null;
  /** The index the read goes through: the most selective filter, or `all` with none. */
  dimension: IndexDimension;
  value: string;
  /** Query words the index read does not ensure, so each entry is checked for them. */
  checkedWords: string[];
  /** Some entries read will not match, so entries are read a full batch at a time. */
  narrowed: boolean;
  /** The counter of the driving value is the exact number of matches (when one counts it). */
  countable: boolean;
  /** One sorted stream of entries each; without a decision filter both are merged by date. */
  decisions: Decision[];
  /** Whether an entry read through the index matches every filter of the query. */
  matches: (item: ItemSummary) => boolean;
}

/**
 * The read that answers an items query. Refuses a query no read could answer (a backwards range,
 * an unknown subcategory or drug, words with nothing searchable) before anything is read.
 */
export function planItemsRead(query: ItemsQuery): ItemsReadPlan {
  const limit = query.limit ?? DEFAULT_LIMIT;
  const from = query.from === undefined ? null : dayOf('from', query.from, 'first');
  const to = query.to === undefined ? null : dayOf('to', query.to, 'last');
  checkRange(from, to);
  const category =
    query.subcategory === undefined
      ? query.category
      : resolveSubcategory(query.category, query.subcategory);
  const words = query.q === undefined ? [] : queryTerms('q', query.q);
  const drug = query.drug === undefined ? undefined : checkDrug(query.drug);

  const subcategory =
    query.subcategory === undefined ? undefined : subcategoryValue(category!, query.subcategory);
  // The most selective filter drives the read. A category named beside a subcategory adds
  // nothing (the subcategory's key includes it), so it is not a filter of its own.
  const filters: [IndexDimension, string | undefined][] = [
    ['drug', drug],
    ['subcategory', subcategory],
    ['term', words[0]],
    ['specialty', query.specialty],
    ['bodyRegion', query.bodyRegion],
    ['category', subcategory === undefined ? category : undefined],
  ];
  const active = filters.filter((f): f is [IndexDimension, string] => f[1] !== undefined);
  const [dimension, value] = active[0] ?? ['all', ALL_VALUE];
  // Words beyond the one that drives the read (all of them when another filter drives it).
  const checkedWords = dimension === 'term' ? words.slice(1) : words;
  const narrowed = active.length > 1 || checkedWords.length > 0;
  const matches = (item: ItemSummary): boolean => {
    if (category !== undefined && item.category !== category) return false;
    if (query.subcategory !== undefined && item.subcategory !== query.subcategory) return false;
    if (drug !== undefined && item.drug !== drug) return false;
    if (query.bodyRegion !== undefined && !item.bodyRegions.includes(query.bodyRegion))
      return false;
    if (query.specialty !== undefined && !item.specialties.includes(query.specialty)) return false;
    if (checkedWords.length > 0) {
      const have = requestTerms(item.request, item.drug);
      if (!checkedWords.every((w) => have.includes(w))) return false;
    }
    return true;
  };
  return {
    limit,
    from,
    to,
    dimension,
    value,
    checkedWords,
    narrowed,
    // Counters are kept per value over all time, and no counter counts a word.
    countable: !narrowed && words.length === 0 && from === null && to === null,
    decisions: query.decision === undefined ? ['overturned', 'upheld'] : [query.decision],
    matches,
  };
}

/**
 * The decision years a fresh read goes through, in the order given (newest first): those the
 * date range reaches. An undated item is outside every range, so a dated query skips its year.
 * A separate step from planning because the years come from the table, and only a first page
 * needs them (a later one carries its own in the cursor).
 */
export function yearsToRead(
  plan: Pick<ItemsReadPlan, 'from' | 'to'>,
  years: readonly string[],
): string[] {
  const { from, to } = plan;
  const dated = from !== null || to !== null;
  return years.filter(
    (y) =>
      !(dated && y === UNDATED_YEAR) &&
      (from === null || y >= from.slice(0, 4)) &&
      (to === null || y <= to.slice(0, 4)),
  );
}

/**
 * The stream whose next entry is the newest (the first such on a tie), of streams that each hold
 * at least one entry. Sort keys start with the decision, so what follows it is compared.
 */
export function newestStream<S extends { buffer: readonly { sk: string }[] }>(
  live: readonly S[],
): S {
  let next = live[0]!;
  for (const s of live) if (suffix(s.buffer[0]!.sk) > suffix(next.buffer[0]!.sk)) next = s;
  return next;
}

function suffix(sk: string): string {
  return sk.slice(sk.indexOf('#') + 1);
}
