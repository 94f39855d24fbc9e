import type { z } from 'zod';
import type {
  feedQuerySchema,
  itemsQuerySchema,
  similarQuerySchema,
  statsQuerySchema,
  errorSchema,
  ExportsList,
  ItemsPage,
  PublicDetermination,
  PublicItem,
  Similar,
  statsSchema,
} from '../../../shared/api/index.ts';

// The site's only way to the API. Request and response types come from the server's own zod
// schemas through type-only imports, so the two cannot drift and zod never reaches the browser.
// Responses are not validated again here: the API's tests check every response against the same
// schemas, and a same-origin API is the site's own.

export type { ExportsList, ItemsPage, PublicDetermination, PublicItem, Similar };
export type Stats = z.infer<typeof statsSchema>;
export type StatsGroup = Stats['groups'][number];
export type ItemsQuery = Omit<z.input<typeof itemsQuerySchema>, 'limit'> & { limit?: number };
export type FeedQuery = z.input<typeof feedQuerySchema>;
export type StatsQuery = z.input<typeof statsQuerySchema>;
export type SimilarQuery = z.input<typeof similarQuerySchema>;
export type Issue = PublicDetermination['issues'][number];
export type Citation = Issue['citations'][number];
export type Snapshot = ExportsList['snapshots'][number];
type ErrorBody = z.infer<typeof errorSchema>;

/**
 * Why a call failed: the API said why (`message` is its own explanation, in English), or the
 * site could not reach it, read its answer or got a bare status. The site says the last three in
 * the page's language (Status.svelte); `message` holds them in English.
 */
export type ApiErrorReason = 'api' | 'unreachable' | 'unreadable' | 'status';

/** The API refused or failed a request; `message` is the API's own explanation. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** The query parameter to change (400 only). */
    readonly parameter: string | null = null,
    readonly requestId: string | null = null,
    readonly reason: ApiErrorReason = 'api',
    /** The HTTP status text, for reason "status". */
    readonly statusText = '',
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

type Fetch = typeof fetch;
type Query = Record<string, string | number | undefined | null>;

/** `?a=1&b=2` of the defined, non-empty values, in a stable order. */
export function queryString(query: Query): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  }
  const s = params.toString();
  return s === '' ? '' : `?${s}`;
}

function isErrorBody(body: unknown): body is ErrorBody {
  return (
    typeof body === 'object' &&
    body !== null &&
    typeof (body as { message?: unknown }).message === 'string'
  );
}

async function getJson<T>(
  path: string,
  options: { fetch?: Fetch; signal?: AbortSignal } = {},
): Promise<T> {
  const doFetch = options.fetch ?? fetch;
  let res: Response;
  try {
    res = await doFetch(path, {
      headers: { accept: 'application/json' },
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiError(
      0,
      'The API could not be reached. Check your connection and try again.',
      null,
      null,
      'unreachable',
    );
  }
  let body: unknown = null;
  try {
    body = await res.json();
  } catch {
    // A proxy's HTML error page, or an empty body: reported by status below.
  }
  if (!res.ok) {
    if (isErrorBody(body)) {
      throw new ApiError(res.status, body.message, body.parameter ?? null, body.requestId ?? null);
    }
    throw new ApiError(
      res.status,
      `The API answered ${res.status} ${res.statusText}`.trim(),
      null,
      null,
      'status',
      res.statusText,
    );
  }
  if (body === null) {
    throw new ApiError(res.status, 'The API sent an unreadable answer.', null, null, 'unreadable');
  }
  return body as T;
}

export interface CallOptions {
  fetch?: Fetch;
  signal?: AbortSignal;
}

/** A determination's public record by case number. */
export function getDetermination(
  caseNumber: string,
  options?: CallOptions,
): Promise<PublicDetermination> {
  return getJson(`/api/determinations/${encodeURIComponent(caseNumber)}`, options);
}

/** One page of disputed items matching filters and keywords, newest first. */
/** The Atom feed of a search's newest decisions: a link for feed readers, never fetched here. */
export function feedUrl(query: FeedQuery): string {
  return `/api/feed.atom${queryString(query)}`;
}

export function listItems(query: ItemsQuery, options?: CallOptions): Promise<ItemsPage> {
  return getJson(`/api/items${queryString(query)}`, options);
}

/** Upheld and overturned counts grouped by one dimension. */
export function getStats(query: StatsQuery, options?: CallOptions): Promise<Stats> {
  return getJson(`/api/stats${queryString(query)}`, options);
}

/** A planned request's classification, the overturn rate it rests on and similar past items. */
export function getSimilar(query: SimilarQuery, options?: CallOptions): Promise<Similar> {
  return getJson(`/api/stats/similar${queryString(query)}`, options);
}

/** The scheduled statistics export snapshots, newest first. */
export function listExports(options?: CallOptions): Promise<ExportsList> {
  return getJson('/api/exports', options);
}
