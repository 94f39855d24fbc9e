import type { FeedQuery, ItemsQuery, StatsGroup } from './api.ts';
// The API's filters alone: its index.ts names server modules (node:crypto) the site must not reach.
import { ITEM_FILTERS } from '../../../shared/api/filters.ts';
import { isBodyRegion, isCategory, isDecision } from './vocabulary.ts';

// The search page's query as URL parameters, so that a search can be shared and the back
// button works. The names are the API's own (/api/items), so the URL reads like the API call.

export const FILTER_KEYS = ITEM_FILTERS;
export type FilterKey = (typeof FILTER_KEYS)[number];
/** Every filter as text; "" means not set. */
export type SearchFilters = Record<FilterKey, string>;

export function emptyFilters(): SearchFilters {
  return Object.fromEntries(FILTER_KEYS.map((k) => [k, ''])) as SearchFilters;
}

/** The filters a URL holds (unknown parameters are ignored). */
export function filtersFromParams(params: URLSearchParams): SearchFilters {
  const filters = emptyFilters();
  for (const k of FILTER_KEYS) filters[k] = (params.get(k) ?? '').trim();
  return filters;
}

/** The URL query of a search: only the filters that are set. */
export function searchParams(filters: SearchFilters): URLSearchParams {
  const params = new URLSearchParams();
  for (const k of FILTER_KEYS) {
    const v = filters[k].trim();
    if (v !== '') params.set(k, v);
  }
  return params;
}

/** The search page's URL for some filters ("/" when none is set). */
export function searchHref(filters: Partial<SearchFilters>): string {
  const query = searchParams({ ...emptyFilters(), ...filters }).toString();
  return query === '' ? '/' : `/?${query}`;
}

/** True when no filter is set. */
export function isEmpty(filters: SearchFilters): boolean {
  return FILTER_KEYS.every((k) => filters[k].trim() === '');
}

/**
 * The API's filters for a search (/api/items and /api/feed.atom take the same). A category or
 * decision that is not one the API knows is passed on as it is, so that the API's 400 explains it.
 */
export function filterQuery(filters: SearchFilters): FeedQuery {
  // In the order of the search's own URL, which is the order the feed's self link uses.
  const query: FeedQuery = {};
  for (const k of FILTER_KEYS) {
    const v = filters[k].trim();
    if (v === '') continue;
    if (k === 'category') query.category = isCategory(v) ? v : (v as never);
    else if (k === 'bodyRegion') query.bodyRegion = isBodyRegion(v) ? v : (v as never);
    else if (k === 'decision') query.decision = isDecision(v) ? v : (v as never);
    else query[k] = v;
  }
  return query;
}

/** The API query for a page of a search. */
export function itemsQuery(
  filters: SearchFilters,
  cursor: string | null,
  limit: number,
): ItemsQuery {
  const query: ItemsQuery = { limit, ...filterQuery(filters) };
  if (cursor !== null) query.cursor = cursor;
  return query;
}

/** The choices of the search form, from the statistics. */
export interface FilterOptions {
  subcategories: readonly StatsGroup[];
  drugs: readonly StatsGroup[];
  bodyRegions: readonly StatsGroup[];
  specialties: readonly StatsGroup[];
}

/** A page after the first: its number, the number of its first result and the API's cursor. */
export interface PagePosition {
  page: number;
  first: number;
  cursor: string;
}

const WHOLE = /^[1-9]\d{0,6}$/;

/** The page a search URL opens (?page=2&first=21&cursor=...), or null for the first page. */
export function pageFromParams(params: URLSearchParams): PagePosition | null {
  const page = params.get('page') ?? '';
  const first = params.get('first') ?? '';
  const cursor = params.get('cursor') ?? '';
  if (!WHOLE.test(page) || !WHOLE.test(first) || cursor === '' || page === '1') return null;
  return { page: Number(page), first: Number(first), cursor };
}

/** The URL of a search's page: the filters, then where the page starts. */
export function pageHref(filters: Partial<SearchFilters>, position: PagePosition | null): string {
  if (position === null) return searchHref(filters);
  const params = searchParams({ ...emptyFilters(), ...filters });
  params.set('page', String(position.page));
  params.set('first', String(position.first));
  params.set('cursor', position.cursor);
  return `/?${params.toString()}`;
}
