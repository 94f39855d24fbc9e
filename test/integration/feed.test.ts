import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalServer, type LocalServer } from '../../local/server.ts';
import { startLocalStack, type LocalStack } from '../../local/stack.ts';
import { CACHE } from '../../shared/api/endpoints.ts';
import { FEED_SIZE } from '../../shared/api/feed.ts';
import { MAX_QUERIES } from '../../shared/api/items.ts';
import { errorSchema, itemsPageSchema, type PublicItem } from '../../shared/api/schemas.ts';
import { createLogger } from '../../shared/logger.ts';
import { renderLetter } from '../../synthetic/render-letter.ts';
import { SPEC } from '../fixtures/synthetic-letter.ts';
import { readAtom, type ReadFeed } from '../support/atom.ts';
import { ingestIdleAfter } from '../support/store.ts';

// GET /api/feed.atom against the local stack (DynamoDB Local and the local S3, through the ingest
// and the same HTTP adapter as `npm start`): made-up letters with more items than a feed holds,
// and one letter whose request holds markup characters and non-ASCII text.

const ORG = 'feed-org';
const HOSTILE_CASE = 'CM16-0000077';
const HOSTILE_REQUEST = `Ibuprofen 800mg <"Motrin"> & 'café' naproxène 痛み #60`;
const LETTERS = 30;

let stack: LocalStack;
let server: LocalServer;
/** DynamoDB Query commands sent since the last reset. */
let queries = 0;

beforeAll(async () => {
  stack = await startLocalStack({ dataDir: null, logger: createLogger({ level: 'silent' }) });
  const put = (key: string, body: Uint8Array | string) =>
    stack.s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key: key, Body: body }));
  // Three items each, decided in December 2016: more items than a feed holds, in one year, so
  // that the first reads find them all.
  for (let i = 0; i < LETTERS; i++) {
    const caseNumber = `CM16-00002${String(i).padStart(2, '0')}`;
    const day = String(1 + (i % 28)).padStart(2, '0');
    const letter = renderLetter(
      { ...SPEC, caseNumber, dates: { ...SPEC.dates, decision: `12/${day}/2016` } },
      { layout: 'full-letter' },
    );
    await put(`uploads/${ORG}/${caseNumber}.txt`, letter);
  }
  const hostile = renderLetter(
    {
      ...SPEC,
      caseNumber: HOSTILE_CASE,
      items: [{ ...SPEC.items[2]!, request: HOSTILE_REQUEST }, SPEC.items[0]!],
    },
    { layout: 'full-letter' },
  );
  await put(`uploads/${ORG}/hostile.txt`, hostile);
  await ingestIdleAfter(stack, LETTERS + 1);
  server = await startLocalServer(stack, {
    port: 0,
    logger: createLogger({ level: 'silent' }),
    siteDir: null,
  });
  stack.dynamodb.middlewareStack.add(
    (next, context) => (args) => {
      if (context.commandName === 'QueryCommand') queries++;
      return next(args);
    },
    { step: 'initialize', name: 'countQueries' },
  );
}, 120_000);

afterAll(async () => {
  await server?.close();
  await stack?.stop();
});

async function feed(query: string): Promise<{ res: Response; xml: string; feed: ReadFeed }> {
  const res = await fetch(new URL(`/api/feed.atom${query}`, server.url));
  const xml = await res.text();
  expect(res.status, xml).toBe(200);
  return { res, xml, feed: readAtom(xml) };
}

async function items(query: string): Promise<PublicItem[]> {
  const res = await fetch(new URL(`/api/items${query}`, server.url));
  return itemsPageSchema.parse(await res.json()).items;
}

const entryId = (i: PublicItem) => `tag:imr-atlas,2026:${i.caseNumber}/item/${i.ordinal}`;

describe('GET /api/feed.atom', () => {
  it('gives the 50 newest items as Atom, in the order /api/items lists them, cacheable as /api/items is', async () => {
    const { res, feed: f } = await feed('');
    expect(res.headers.get('content-type')).toBe('application/atom+xml; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe(CACHE.list);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const newest = await items(`?limit=${FEED_SIZE}`);
    // The corpus here has more items than a feed holds.
    expect(newest).toHaveLength(FEED_SIZE);
    expect(f.entries.map((e) => e.id)).toEqual(newest.map(entryId));
    expect(f.entries[0]!.updated).toBe('2016-12-28T00:00:00Z');
    const dates = f.entries.map((e) => e.updated);
    expect(dates).toEqual([...dates].sort().reverse());
    expect(f.updated).toBe(f.entries[0]!.updated);
    expect(f.title).toBe('IMR Atlas: newest decisions');
    expect(f.id).toBe('tag:imr-atlas,2026:feed');
    expect(f.links).toEqual([
      { rel: 'self', type: 'application/atom+xml', href: '/api/feed.atom' },
      { rel: 'alternate', type: 'text/html', href: '/' },
    ]);
    for (const [n, e] of f.entries.entries()) {
      const item = newest[n]!;
      expect(e.title).toBe(`${item.request} (${item.decision})`);
      expect(e.link).toBe(`/determination?case=${item.caseNumber}#item-${item.ordinal}`);
      expect(e.summary).toContain(`Case ${item.caseNumber}, item ${item.ordinal}.`);
    }
  });

  it('takes the filters of /api/items and names them in its title and links', async () => {
    const query = '?drug=ibuprofen&decision=overturned';
    const { xml, feed: f } = await feed(query);
    const expected = await items(`${query}&limit=${FEED_SIZE}`);
    expect(expected.length).toBeGreaterThan(0);
    expect(f.entries.map((e) => e.id)).toEqual(expected.map(entryId));
    expect(f.title).toBe('IMR Atlas: newest overturned decisions, drug ibuprofen');
    expect(f.id).toBe(`tag:imr-atlas,2026:feed${query}`);
    expect(f.links.map((l) => l.href)).toEqual([`/api/feed.atom${query}`, `/${query}`]);

    // The request with markup characters and non-ASCII text reads back exactly.
    const hostile = f.entries.find((e) => e.id === `tag:imr-atlas,2026:${HOSTILE_CASE}/item/1`);
    expect(hostile?.title).toBe(`${HOSTILE_REQUEST} (overturned)`);
    expect(hostile?.summary).toBe(
      `Overturned by Independent Medical Review on 2016-12-09: ${HOSTILE_REQUEST}. ` +
        `Category Pharmaceuticals, subcategory NSAIDs, drug ibuprofen. Case ${HOSTILE_CASE}, item 1.`,
    );
    expect(xml).toContain('&lt;&quot;Motrin&quot;&gt; &amp; &apos;café&apos; naproxène 痛み');
    expect(xml).not.toContain('<"Motrin">');
  });

  it('carries only what /api/items gives: no rationale, case summary, reviewer or organisation', async () => {
    const { xml } = await feed('?q=ibuprofen');
    expect(xml).toContain('Ibuprofen 800mg');
    for (const privateText of [
      SPEC.items[2]!.rationale.slice(0, 30),
      SPEC.summary.slice(0, 30),
      'Physical Medicine',
      'Pain Management',
      'Oregon',
      'MTUS',
      'Opioid Treatment',
      ORG,
      'hostile.txt',
      '2015',
    ]) {
      expect(xml, privateText).not.toContain(privateText);
    }
  });

  it('reads at most as many Queries as a page of /api/items, whatever the filters', async () => {
    await feed('');
    for (const query of ['', '?q=ibuprofen', '?q=zzzz', '?decision=upheld&bodyRegion=knee']) {
      queries = 0;
      await feed(query);
      expect(queries, query).toBeLessThanOrEqual(MAX_QUERIES);
    }
  });

  it('refuses bad parameters exactly as /api/items does', async () => {
    for (const query of [
      'decision=maybe',
      'category=Vitamins',
      'bodyRegion=spleen',
      'specialty=Astrology',
      'drug=Norco',
      'subcategory=Astrology',
      'from=2017-02-30',
      'from=2017-13',
      'to=17-02-03',
      'from=2017-05&to=2017-04',
      'q=tablets%2030',
      `q=${'a'.repeat(201)}`,
    ]) {
      const fromFeed = await fetch(new URL(`/api/feed.atom?${query}`, server.url));
      const fromItems = await fetch(new URL(`/api/items?${query}`, server.url));
      expect(fromFeed.status, query).toBe(400);
      expect(fromFeed.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(fromFeed.headers.get('cache-control')).toBe(CACHE.none);
      const a = errorSchema.parse(await fromFeed.json());
      const b = errorSchema.parse(await fromItems.json());
      expect({ ...a, requestId: '' }, query).toEqual({ ...b, requestId: '' });
    }
  });

  it('has no pages: limit and cursor are refused as parameters it does not take', async () => {
    for (const name of ['limit', 'cursor']) {
      const res = await fetch(new URL(`/api/feed.atom?${name}=10`, server.url));
      expect(res.status).toBe(400);
      const body = errorSchema.parse(await res.json());
      expect(body.parameter).toBe(name);
      expect(body.message).toMatch(new RegExp(`^unknown parameter "${name}"`));
    }
  });
});
