import { z } from 'zod';
import { pingTable } from '../store/index.ts';
import { getDetermination, listDeterminations } from './determinations.ts';
import type { ApiDeps } from './deps.ts';
import { listExports } from './exports.ts';
import { ATOM_CONTENT_TYPE, atomXml } from './atom.ts';
import { FEED_SIZE, getFeed } from './feed.ts';
import { listItems } from './items.ts';
import { buildOpenApi } from './openapi.ts';
import {
  determinationPathSchema,
  feedQuerySchema,
  itemsQuerySchema,
  listDeterminationsQuerySchema,
  noQuerySchema,
  parseParams,
  similarQuerySchema,
  statsQuerySchema,
} from './params.ts';
import {
  determinationsPageSchema,
  exportsListSchema,
  feedSchema,
  healthSchema,
  itemsPageSchema,
  publicDeterminationSchema,
  similarSchema,
  statsSchema,
} from './schemas.ts';
import { similarRequests } from './similar.ts';
import { getStats } from './stats.ts';

// Every endpoint of the API in one table: its route, the Lambda function that serves it (file
// `functions/<fn>.ts`), its parameters and response as zod schemas, how long CloudFront and
// browsers may keep the answer, and what it does. The local server, the CDK stack and the
// OpenAPI document all read this table.

/** An HTTP request as the endpoints see it, whatever carried it (API Gateway, the local server). */
export interface ApiRequest {
  pathParameters: Record<string, string | undefined>;
  query: Record<string, string | undefined>;
}

/**
 * Caching: lookups briefly. Statistics change as letters arrive; a letter's counters are written
 * before its receipt, and 30 s of caching plus 30 s served stale keeps a statistic at most 60 s
 * behind them, at CloudFront and in the browser (DATA-MODEL.md, "Freshness").
 */
export const CACHE = {
  statistics: 'public, max-age=30, s-maxage=30, stale-while-revalidate=30',
  lookup: 'public, max-age=60, s-maxage=60',
  list: 'public, max-age=30, s-maxage=30',
  document: 'public, max-age=3600, s-maxage=3600',
  none: 'no-store',
} as const;

export interface Endpoint {
  /** Lambda function name and entry file (functions/<fn>.ts). */
  fn: string;
  method: 'GET';
  /** API Gateway route path, with {parameters}. */
  path: string;
  summary: string;
  cacheControl: string;
  /** Its answers carry page cursors: its function is given the cursor secret, no other is. */
  pages?: true;
  pathSchema?: z.ZodObject;
  querySchema?: z.ZodObject;
  responseSchema: z.ZodType;
  run(deps: ApiDeps, request: ApiRequest): Promise<unknown>;
  /**
   * An answer that is not JSON: its media type and how `run`'s result is written. Refusals and
   * failures are JSON whatever the endpoint (http.ts).
   */
  representation?: { contentType: string; render(result: unknown): string };
}

const openApiSchema = z.record(z.string(), z.unknown()).describe('An OpenAPI 3.1 document');

export const ENDPOINTS = [
  {
    fn: 'api-get-determination',
    method: 'GET',
    path: '/api/determinations/{caseNumber}',
    summary: 'A determination by case number: header fields, reviewer, items with rationale.',
    cacheControl: CACHE.lookup,
    pathSchema: determinationPathSchema,
    querySchema: noQuerySchema,
    responseSchema: publicDeterminationSchema,
    run: (deps, r) => {
      parseParams(noQuerySchema, r.query);
      return getDetermination(
        deps,
        parseParams(determinationPathSchema, r.pathParameters).caseNumber,
      );
    },
  },
  {
    fn: 'api-list-determinations',
    method: 'GET',
    path: '/api/determinations',
    summary: 'Recent determinations, newest decision first.',
    cacheControl: CACHE.list,
    pages: true,
    querySchema: listDeterminationsQuerySchema,
    responseSchema: determinationsPageSchema,
    run: (deps, r) => listDeterminations(deps, parseParams(listDeterminationsQuerySchema, r.query)),
  },
  {
    fn: 'api-list-items',
    method: 'GET',
    path: '/api/items',
    summary: 'Disputed items matching filters and keywords, newest first.',
    cacheControl: CACHE.list,
    pages: true,
    querySchema: itemsQuerySchema,
    responseSchema: itemsPageSchema,
    run: (deps, r) => listItems(deps, parseParams(itemsQuerySchema, r.query)),
  },
  {
    fn: 'api-get-feed',
    method: 'GET',
    path: '/api/feed.atom',
    summary:
      `The ${FEED_SIZE} newest decided items matching the filters of /api/items, as an Atom ` +
      'feed (fewer when the filters match little: it reads what one page of /api/items reads).',
    cacheControl: CACHE.list,
    querySchema: feedQuerySchema,
    responseSchema: feedSchema,
    run: (deps, r) => getFeed(deps, parseParams(feedQuerySchema, r.query)),
    representation: {
      contentType: ATOM_CONTENT_TYPE,
      render: (result) => atomXml(feedSchema.parse(result)),
    },
  },
  {
    fn: 'api-get-stats',
    method: 'GET',
    path: '/api/stats',
    summary: 'Upheld and overturned counts and the overturn rate, grouped by one dimension.',
    cacheControl: CACHE.statistics,
    querySchema: statsQuerySchema,
    responseSchema: statsSchema,
    run: (deps, r) => getStats(deps, parseParams(statsQuerySchema, r.query)),
  },
  {
    fn: 'api-get-similar',
    method: 'GET',
    path: '/api/stats/similar',
    summary:
      'For a planned request: its category and drug class, the overturn rate of similar past ' +
      'requests with the number it rests on, and the most similar past items.',
    cacheControl: CACHE.statistics,
    querySchema: similarQuerySchema,
    responseSchema: similarSchema,
    run: (deps, r) => similarRequests(deps, parseParams(similarQuerySchema, r.query).request),
  },
  {
    fn: 'api-list-exports',
    method: 'GET',
    path: '/api/exports',
    summary:
      'The scheduled statistics exports (CSV, JSON, Parquet), newest first, with download paths.',
    cacheControl: CACHE.statistics,
    querySchema: noQuerySchema,
    responseSchema: exportsListSchema,
    run: (deps, r) => {
      parseParams(noQuerySchema, r.query);
      return listExports(deps);
    },
  },
  {
    fn: 'api-get-health',
    method: 'GET',
    path: '/api/health',
    summary: 'Whether the API can read its table.',
    cacheControl: CACHE.none,
    querySchema: noQuerySchema,
    responseSchema: healthSchema,
    run: async (deps, r) => {
      parseParams(noQuerySchema, r.query);
      await pingTable(deps.table);
      return { status: 'ok', time: new Date().toISOString() };
    },
  },
  {
    fn: 'api-get-openapi',
    method: 'GET',
    path: '/api/openapi.json',
    summary: 'This API described as OpenAPI 3.1.',
    cacheControl: CACHE.document,
    querySchema: noQuerySchema,
    responseSchema: openApiSchema,
    run: (_deps, r): Promise<unknown> => {
      parseParams(noQuerySchema, r.query);
      return Promise.resolve(buildOpenApi(ENDPOINTS as readonly Endpoint[]));
    },
  },
] as const satisfies readonly Endpoint[];

export type EndpointName = (typeof ENDPOINTS)[number]['fn'];

/** The endpoint served by a function. */
export function endpoint(fn: EndpointName): Endpoint {
  return ENDPOINTS.find((e) => e.fn === fn)!;
}
