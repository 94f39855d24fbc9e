import { z } from 'zod';
import type { Decision } from '../record/determination.ts';
import { subcategoryValue, type ItemSummary } from '../store/contribution.ts';
import {
  ALL_VALUE,
  UNDATED_YEAR,
  type IndexDimension,
  type StatsDimension,
} from '../store/keys.ts';
import { readIndexPage, readTallies, type IndexEntryRead } from '../store/queries.ts';
import { requestTerms } from '../search/terms.ts';
import { openCursor, queryContext, sealCursor } from './cursor.ts';
import type { ApiDeps } from './deps.ts';
import {
  checkDrug,
  checkRange,
  dayOf,
  DEFAULT_LIMIT,
  queryTerms,
  resolveSubcategory,
  unknownSpecialty,
  type feedQuerySchema,
  type itemsQuerySchema,
} from './params.ts';
import type { ItemsPage, PublicItem } from './schemas.ts';

// Items newest first, from the index entries (docs/DATA-MODEL.md). One filter drives the read:
// its value's partitions, one per decision year, each read backwards within the decision and date
// range of its sort key. With no decision filter the upheld and overturned ranges are two sorted
// streams merged by date. Any further filter is checked against the summary each entry carries.

type ItemsQuery = z.output<typeof itemsQuerySchema>;

/**
 * Index Queries per request at most: a page that needs more returns what it found and a cursor
 * that continues there. It bounds what one request can cost whatever it asks: a query matching
 * nothing used to read both decision streams of every year (24 Queries over 12 years, up to 30).
 * Five is two rounds of both streams (a page that spans a year boundary) and one more of either.
 * The decision years are read beside it once a minute per instance (shared/api/deps.ts).
 */
export const MAX_QUERIES = 5;
/** Entries read at once when other filters will discard some. */
const FILTERED_READ = 100;

const positionSchema = z.object({
  years: z.array(z.string()),
  streams: z.array(
    z.object({
      decision: z.enum(['upheld', 'overturned']),
      after: z.string().nullable(),
      done: z.boolean(),
    }),
  ),
});
type Position = z.infer<typeof positionSchema>;

interface Stream {
  decision: Decision;
  after: string | null;
  done: boolean;
  buffer: IndexEntryRead[];
  /** The last read returned everything after `after`: when the buffer empties, the stream ends. */
  exhausted: boolean;
}

/** One page of items matching the query, newest first. */
export async function listItems(
  deps: ApiDeps,
  query: ItemsQuery,
  options: { maxQueries?: number } = {},
): Promise<ItemsPage> {
  const found = await findItems(deps, query, options.maxQueries ?? MAX_QUERIES, true);
  return {
    items: found.items,
    cursor:
      found.position === null ? null : sealCursor(deps.cursorKey, found.context, found.position),
    total: found.total,
  };
}

/**
 * The newest items matching the filters, at most `count`, without paging: what the first
 * MAX_QUERIES index Queries find (fewer than `count` when a filter matches little), newest first.
 */
export async function newestItems(
  deps: ApiDeps,
  filters: z.output<typeof feedQuerySchema>,
  count: number,
): Promise<PublicItem[]> {
  return (await findItems(deps, { ...filters, limit: count }, MAX_QUERIES, false)).items;
}

interface Found {
  items: PublicItem[];
  /** Where the next page starts; null on the last page. */
  position: Position | null;
  context: string;
  total: number | null;
}

// The items a query matches within `maxQueries` index Queries, where the next page would start,
// and (when asked for and a counter has it) the exact number of matches.
async function findItems(
  deps: ApiDeps,
  query: ItemsQuery,
  maxQueries: number,
  withTotal: boolean,
): Promise<Found> {
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

  const context = queryContext('items', { ...query, limit });
  const decisions: Decision[] =
    query.decision === undefined ? ['overturned', 'upheld'] : [query.decision];
  const fresh = (): Stream[] =>
    decisions.map((decision) => ({
      decision,
      after: null,
      done: false,
      buffer: [],
      exhausted: false,
    }));
  let years: string[];
  let streams: Stream[];
  if (query.cursor !== undefined) {
    const position = openCursor(deps.cursorKey, context, query.cursor, positionSchema);
    years = position.years;
    streams = position.streams.map((s) => ({ ...s, buffer: [], exhausted: false }));
  } else {
    const dated = from !== null || to !== null;
    years = (await deps.years()).filter(
      (y) =>
        !(dated && y === UNDATED_YEAR) &&
        (from === null || y >= from.slice(0, 4)) &&
        (to === null || y <= to.slice(0, 4)),
    );
    streams = fresh();
  }

  // Read beside the page; a failure surfaces when awaited below, never as an unhandled rejection.
  const totalRead = exactTotal(deps, {
    dimension,
    value,
    decision: query.decision,
    countable: withTotal && !narrowed && words.length === 0 && from === null && to === null,
  });
  totalRead.catch(() => undefined);
  const items: PublicItem[] = [];
  let reads = 0;
  read: while (years.length > 0) {
    const year = years[0]!;
    for (;;) {
      const empty = streams.filter((s) => !s.done && s.buffer.length === 0 && !s.exhausted);
      if (empty.length > 0) {
        if (reads + empty.length > maxQueries) break read;
        reads += empty.length;
        // One more than the page needs, so that a page ending a stream knows it is the last.
        const want = narrowed ? FILTERED_READ : limit - items.length + 1;
        await Promise.all(
          empty.map(async (s) => {
            const page = await readIndexPage(deps.table, {
              dimension,
              value,
              year,
              decision: s.decision,
              from,
              to,
              after: s.after,
              limit: want,
            });
            s.buffer = page.entries;
            s.exhausted = !page.more;
          }),
        );
      }
      for (const s of streams) if (s.buffer.length === 0 && s.exhausted) s.done = true;
      const live = streams.filter((s) => s.buffer.length > 0);
      if (live.length === 0) {
        years.shift();
        streams = fresh();
        continue read;
      }
      // Newest first across the decision streams: compare what follows the decision prefix.
      let next = live[0]!;
      for (const s of live) if (suffix(s.buffer[0]!.sk) > suffix(next.buffer[0]!.sk)) next = s;
      const entry = next.buffer.shift()!;
      next.after = entry.sk;
      if (matches(entry.item)) {
        items.push(publicItem(entry.item));
        if (items.length === limit) break read;
      }
    }
  }
  const more =
    years.length > 1 ||
    (years.length === 1 && streams.some((s) => s.buffer.length > 0 || (!s.done && !s.exhausted)));
  if (items.length === 0 && query.cursor === undefined && query.specialty !== undefined) {
    // Specialties are open text from the letters: one is unknown when no counter has it.
    const [t] = await readTallies(deps.table, [{ dimension: 'specialty', value: query.specialty }]);
    if (t === undefined || t.upheld + t.overturned === 0) throw unknownSpecialty(query.specialty);
  }
  const position: Position = {
    years,
    streams: streams.map(({ decision, after, done }) => ({ decision, after, done })),
  };
  return { items, position: more ? position : null, context, total: await totalRead };
}

function suffix(sk: string): string {
  return sk.slice(sk.indexOf('#') + 1);
}

/** The public fields of an entry's summary (the filter-only fields stay behind). */
export function publicItem(item: ItemSummary): PublicItem {
  return {
    caseNumber: item.caseNumber,
    ordinal: item.ordinal,
    request: item.request,
    decision: item.decision,
    category: item.category,
    subcategory: item.subcategory,
    drug: item.drug,
    bodyRegion: item.bodyRegion,
    decisionDate: item.decisionDate,
  };
}

const STATS_OF: Partial<Record<IndexDimension, StatsDimension>> = {
  all: 'total',
  category: 'category',
  subcategory: 'subcategory',
  drug: 'drug',
  bodyRegion: 'bodyRegion',
  specialty: 'specialty',
};

// The number of matches, when one counter answers it exactly: a single dimension filter (or
// none), optionally a decision, over all time.
async function exactTotal(
  deps: ApiDeps,
  q: {
    dimension: IndexDimension;
    value: string;
    decision: Decision | undefined;
    countable: boolean;
  },
): Promise<number | null> {
  const dimension = STATS_OF[q.dimension];
  if (!q.countable || dimension === undefined) return null;
  const [t] = await readTallies(deps.table, [{ dimension, value: q.value }]);
  if (t === undefined) return null;
  return q.decision === undefined ? t.upheld + t.overturned : t[q.decision];
}
