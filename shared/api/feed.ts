import type { z } from 'zod';
import type { ApiDeps } from './deps.ts';
import { newestItems } from './items.ts';
import type { feedQuerySchema } from './params.ts';
import type { Feed, PublicItem } from './schemas.ts';
import { ITEM_FILTERS } from './filters.ts';

// GET /api/feed.atom: the newest decisions of an /api/items search, as a feed a reader can
// follow. It reads what the first page of /api/items reads (at most MAX_QUERIES index Queries,
// items.ts) and gives each item only the fields /api/items gives. Links are paths on the site's
// own origin, which readers resolve against the feed's address: behind CloudFront the API is
// not told the host name it was reached by. Ids are tag: URIs, so that they stay the same
// whatever the host name.

type FeedQuery = z.output<typeof feedQuerySchema>;

/** Entries in a feed at most: the newest matching items. */
export const FEED_SIZE = 50;

/** The tag: URI authority and date of the atlas's ids (RFC 4151). */
const TAG = 'tag:imr-atlas,2026:';

const FILTER_ORDER: readonly (keyof FeedQuery)[] = ITEM_FILTERS;

/** The newest items matching an /api/items search, as a feed. */
export async function getFeed(deps: ApiDeps, query: FeedQuery): Promise<Feed> {
  const items = await newestItems(deps, query, FEED_SIZE);
  // An Atom entry needs a date; the few letters without a decision date are left out.
  const dated = items.filter(
    (i): i is PublicItem & { decisionDate: string } => i.decisionDate !== null,
  );
  const params = new URLSearchParams();
  for (const k of FILTER_ORDER) {
    const v = query[k];
    if (v !== undefined) params.set(k, v);
  }
  const search = params.size === 0 ? '' : `?${params.toString()}`;
  return {
    id: `${TAG}feed${search}`,
    title: feedTitle(query),
    // The newest decision's date; with no entry, now (the feed has nothing older to date it by).
    updated: dated[0] === undefined ? new Date().toISOString() : dayTime(dated[0].decisionDate),
    self: `/api/feed.atom${search}`,
    alternate: `/${search}`,
    entries: dated.map((item) => ({
      id: `${TAG}${item.caseNumber}/item/${item.ordinal}`,
      title: `${item.request} (${item.decision})`,
      updated: dayTime(item.decisionDate),
      link: `/determination?case=${encodeURIComponent(item.caseNumber)}#item-${item.ordinal}`,
      summary: entrySummary(item),
    })),
  };
}

/** What the feed holds, its filters in words ("IMR Atlas: overturned decisions, drug gabapentin"). */
export function feedTitle(query: FeedQuery): string {
  const parts: string[] = [];
  if (query.q !== undefined) parts.push(`requests with the words "${query.q}"`);
  if (query.category !== undefined) parts.push(`category ${query.category}`);
  if (query.subcategory !== undefined) parts.push(`subcategory ${query.subcategory}`);
  if (query.drug !== undefined) parts.push(`drug ${query.drug}`);
  if (query.bodyRegion !== undefined) parts.push(`body region ${query.bodyRegion}`);
  if (query.specialty !== undefined) parts.push(`reviewer specialty ${query.specialty}`);
  if (query.from !== undefined) parts.push(`decided from ${query.from}`);
  if (query.to !== undefined) parts.push(`decided to ${query.to}`);
  const what = query.decision === undefined ? 'decisions' : `${query.decision} decisions`;
  return parts.length === 0
    ? `IMR Atlas: newest ${what}`
    : `IMR Atlas: newest ${what}, ${parts.join(', ')}`;
}

function entrySummary(item: PublicItem & { decisionDate: string }): string {
  const decision = item.decision === 'overturned' ? 'Overturned' : 'Upheld';
  const facts = [`Category ${item.category}`];
  if (item.subcategory !== null) facts.push(`subcategory ${item.subcategory}`);
  if (item.drug !== null) facts.push(`drug ${item.drug}`);
  if (item.bodyRegion !== null) facts.push(`body region ${item.bodyRegion}`);
  return (
    `${decision} by Independent Medical Review on ${item.decisionDate}: ${item.request}. ` +
    `${facts.join(', ')}. Case ${item.caseNumber}, item ${item.ordinal}.`
  );
}

function dayTime(date: string): string {
  return `${date}T00:00:00Z`;
}
