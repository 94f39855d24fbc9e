import { z } from 'zod';
import type { Decision } from '../record/index.ts';
import {
  type ItemSummary,
  type IndexDimension,
  type StatsDimension,
  readIndexPage,
  readTallies,
  type IndexEntryRead,
} from '../store/index.ts';
import { openCursor, queryContext, sealCursor } from './cursor.ts';
import type { ApiDeps } from './deps.ts';
import { newestStream, planItemsRead, yearsToRead, type ItemsQuery } from './items-plan.ts';
import { unknownSpecialty, type feedQuerySchema } from './params.ts';
import type { ItemsPage, PublicItem } from './schemas.ts';

// Items newest first, from the index entries (docs/DATA-MODEL.md). One filter drives the read:
// its value's partitions, one per decision year, each read backwards within the decision and date
// range of its sort key. With no decision filter the upheld and overturned ranges are two sorted
// streams merged by date. Any further filter is checked against the summary each entry carries.
// Which filter drives and what is checked is planned in items-plan.ts; this reads the plan out.

/**
 * Index Queries per request at most: a page that needs more returns what it found and a cursor
 * that continues there. It bounds what one request can cost whatever it asks: a query matching
 * nothing would otherwise read both decision streams of every year (24 Queries over 12 years).
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
  const plan = planItemsRead(query);
  const { limit, dimension, value } = plan;
  const context = queryContext('items', { ...query, limit });
  let years: string[];
  let streams: Stream[];
  if (query.cursor !== undefined) {
    const position = openCursor(deps.cursorKey, context, query.cursor, positionSchema);
    years = position.years;
    streams = position.streams.map((s) => ({ ...s, buffer: [], exhausted: false }));
  } else {
    years = yearsToRead(plan, await deps.years());
    streams = freshStreams(plan.decisions);
  }

  // Read beside the page; a failure surfaces when awaited below, never as an unhandled rejection.
  const totalRead = exactTotal(deps, {
    dimension,
    value,
    decision: query.decision,
    countable: withTotal && plan.countable,
  });
  totalRead.catch(() => undefined);
  const items: PublicItem[] = [];
  let reads = 0;
  // Each turn reads the streams that ran dry, then takes the newest entry; a year whose streams
  // have all ended gives way to the next.
  while (years.length > 0) {
    const empty = streams.filter((s) => !s.done && s.buffer.length === 0 && !s.exhausted);
    if (empty.length > 0) {
      if (reads + empty.length > maxQueries) break;
      reads += empty.length;
      // One more than the page needs, so that a page ending a stream knows it is the last.
      const want = plan.narrowed ? FILTERED_READ : limit - items.length + 1;
      const year = years[0]!;
      await Promise.all(
        empty.map(async (s) => {
          const page = await readIndexPage(deps.table, {
            dimension,
            value,
            year,
            decision: s.decision,
            from: plan.from,
            to: plan.to,
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
      streams = freshStreams(plan.decisions);
      continue;
    }
    const next = newestStream(live);
    const entry = next.buffer.shift()!;
    next.after = entry.sk;
    if (plan.matches(entry.item)) {
      items.push(publicItem(entry.item));
      if (items.length === limit) break;
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

function freshStreams(decisions: readonly Decision[]): Stream[] {
  return decisions.map((decision) => ({
    decision,
    after: null,
    done: false,
    buffer: [],
    exhausted: false,
  }));
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
