import { PutObjectCommand } from '@aws-sdk/client-s3';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { getResolvedPDFJS } from 'unpdf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { startLocalServer, type LocalServer } from '../../local/server.ts';
import { startLocalStack, type LocalStack } from '../../local/stack.ts';
import { CACHE, ENDPOINTS } from '../../shared/api/endpoints.ts';
import {
  determinationsPageSchema,
  errorSchema,
  exportsListSchema,
  healthSchema,
  itemsPageSchema,
  publicDeterminationSchema,
  similarSchema,
  statsSchema,
} from '../../shared/api/schemas.ts';
import { determinationSchema, type Determination } from '../../shared/record/determination.ts';
import { s3ExportBucket } from '../../shared/export/bucket.ts';
import { runExport } from '../../shared/export/run.ts';
import { createLogger } from '../../shared/logger.ts';
import { publicDetermination } from '../../shared/privacy/public-record.ts';
import { requestTerms, terms } from '../../shared/search/terms.ts';
import { caseId } from '../../shared/store/keys.ts';
import { STATS_BY, wilsonInterval } from '../../shared/stats/statistics.ts';
import { CATEGORIES } from '../../shared/taxonomy/vocabulary.ts';
import { corpusPdfs, HAVE_LETTERS, seedTexts } from '../support/letters.ts';

// The API against the local stack holding the whole corpus, over HTTP through the same adapter
// `npm start` uses. Every figure is checked against a recount of `imr parse` over the same files.

const ROOT = resolve(import.meta.dirname, '../..');
const ORG = 'acme-claims-admin';

let stack: LocalStack;
let server: LocalServer;
/** The corpus as `imr parse` reads it, by case id. */
const parsed = new Map<string, Determination>();
/** DynamoDB operations the API sent while these tests ran. */
const operations = new Set<string>();

beforeAll(async () => {
  stack = await startLocalStack({ dataDir: null });
  const files = [...corpusPdfs(), ...seedTexts()];
  for (const path of files) {
    await stack.s3.send(
      new PutObjectCommand({
        Bucket: stack.bucket,
        Key: `uploads/${ORG}/${basename(path)}`,
        Body: readFileSync(path),
      }),
    );
  }
  await stack.ingest.idle();

  const cli = spawnSync(process.execPath, [join(ROOT, 'bin/imr.js'), 'parse', ...files], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  expect(cli.status, cli.stderr).toBe(0);
  cli.stdout
    .trimEnd()
    .split('\n')
    .forEach((line, i) => {
      const d = determinationSchema.parse(JSON.parse(line));
      const hash = createHash('sha256').update(readFileSync(files[i]!)).digest('hex');
      parsed.set(caseId(d.caseNumber, hash), d);
    });

  server = await startLocalServer(stack, {
    port: 0,
    logger: createLogger({ level: 'silent' }),
    exports: s3ExportBucket(stack.s3, stack.exportsBucket),
  });
  stack.dynamodb.middlewareStack.add(
    (next, context) => (args) => {
      operations.add(context.commandName ?? '?');
      return next(args);
    },
    { step: 'initialize', name: 'recordOperations' },
  );
}, 600_000);

afterAll(async () => {
  await server?.close();
  await stack?.stop();
});

interface Reply<T> {
  status: number;
  cacheControl: string | null;
  body: T;
  text: string;
}

async function get<S extends z.ZodType>(path: string, schema: S): Promise<Reply<z.output<S>>> {
  const res = await fetch(new URL(path, server.url));
  const text = await res.text();
  const json: unknown = JSON.parse(text);
  const parsedBody = schema.safeParse(json);
  if (!parsedBody.success) {
    throw new Error(`${path}: ${res.status} ${text.slice(0, 500)}\n${parsedBody.error.message}`);
  }
  return {
    status: res.status,
    cacheControl: res.headers.get('cache-control'),
    body: parsedBody.data,
    text,
  };
}

async function ok<S extends z.ZodType>(path: string, schema: S): Promise<z.output<S>> {
  const r = await get(path, schema);
  expect(r.status, path).toBe(200);
  return r.body;
}

async function refused(path: string, status: number, parameter?: string): Promise<string> {
  const r = await get(path, errorSchema);
  expect(r.status, `${path}: ${r.text}`).toBe(status);
  if (parameter !== undefined) expect(r.body.parameter, path).toBe(parameter);
  expect(r.body.message.length).toBeGreaterThan(5);
  return r.body.message;
}

/** Every item of a query, following cursors to the end. */
async function allItems(query: string): Promise<z.output<typeof itemsPageSchema>['items']> {
  const out: z.output<typeof itemsPageSchema>['items'] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 1000; page++) {
    const sep: string = query === '' ? '' : '&';
    const body: z.output<typeof itemsPageSchema> = await ok(
      `/api/items?${query}${sep}limit=100${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`,
      itemsPageSchema,
    );
    out.push(...body.items);
    cursor = body.cursor;
    if (cursor === null) return out;
  }
  throw new Error('pagination did not end');
}

type Tallies = Map<string, { upheld: number; overturned: number }>;

/** An independent recount of what /api/stats?by=... should say, from `imr parse` output. */
function recount(
  by: string,
  options: {
    category?: string;
    from?: string;
    to?: string;
    where?: (d: Determination, i: Determination['issues'][number]) => boolean;
  } = {},
): Tallies {
  const out: Tallies = new Map();
  const add = (key: string, decision: 'upheld' | 'overturned'): void => {
    const t = out.get(key) ?? { upheld: 0, overturned: 0 };
    t[decision]++;
    out.set(key, t);
  };
  for (const d of parsed.values()) {
    const month = d.dates.decision?.slice(0, 7) ?? null;
    if (options.from !== undefined && (month === null || month < options.from)) continue;
    if (options.to !== undefined && (month === null || month > options.to)) continue;
    for (const i of d.issues) {
      if (options.category !== undefined && i.category !== options.category) continue;
      if (options.where !== undefined && !options.where(d, i)) continue;
      const keys: string[] = [];
      if (by === 'category') keys.push(i.category);
      if (by === 'subcategory' && i.subcategory !== null) {
        keys.push(`${i.category}|${i.subcategory}`);
      }
      if (by === 'drug' && i.drug !== null) keys.push(i.drug);
      if (by === 'specialty') keys.push(...new Set(d.reviewer.specialties));
      if (by === 'bodyRegion') keys.push(...new Set(i.bodyRegions));
      if (by === 'citationSource') {
        const sources = new Set(i.citations.map((c) => c.source));
        keys.push(...(sources.size === 0 ? ['None'] : sources));
      }
      if (by === 'citation')
        keys.push(...new Set(i.citations.map((c) => c.guideline ?? `${c.source}|${c.title}`)));
      if (by === 'month' && month !== null) keys.push(month);
      if (by === 'year' && month !== null) keys.push(month.slice(0, 4));
      if (by === 'total') keys.push('*');
      for (const k of keys) add(k, i.decision);
    }
  }
  return out;
}

function asTallies(groups: { key: string; upheld: number; overturned: number }[]): Tallies {
  return new Map(groups.map((g) => [g.key, { upheld: g.upheld, overturned: g.overturned }]));
}

const allParsedItems = () => [...parsed].flatMap(([id, d]) => d.issues.map((i) => ({ id, d, i })));

describe.skipIf(!HAVE_LETTERS)('the corpus behind the API', () => {
  it('was ingested in full', () => {
    expect(parsed.size).toBe(125);
  });
});

describe.skipIf(!HAVE_LETTERS)('GET /api/health and /api/openapi.json', () => {
  it('reports health without caching', async () => {
    const r = await get('/api/health', healthSchema);
    expect(r.status).toBe(200);
    expect(r.cacheControl).toBe('no-store');
  });

  it('describes every endpoint and parameter in OpenAPI 3.1', async () => {
    const res = await fetch(new URL('/api/openapi.json', server.url));
    expect(res.status).toBe(200);
    const doc = (await res.json()) as {
      openapi: string;
      paths: Record<string, Record<string, { parameters: { name: string; in: string }[] }>>;
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual(ENDPOINTS.map((e) => e.path).sort());
    const items = doc.paths['/api/items']!['get']!;
    expect(items.parameters.map((p) => p.name)).toEqual([
      'category',
      'subcategory',
      'drug',
      'bodyRegion',
      'specialty',
      'decision',
      'from',
      'to',
      'q',
      'limit',
      'cursor',
    ]);
    expect(doc.paths['/api/determinations/{caseNumber}']!['get']!.parameters[0]).toMatchObject({
      name: 'caseNumber',
      in: 'path',
    });
  });
});

describe.skipIf(!HAVE_LETTERS)('GET /api/determinations/{caseNumber}', () => {
  it('returns the public record (no file name, the injury year) of the parsed letter, briefly cacheable', async () => {
    for (const [id, d] of [...parsed].slice(0, 40)) {
      const r = await get(`/api/determinations/${id}`, publicDeterminationSchema);
      expect(r.status).toBe(200);
      expect(r.cacheControl).toBe('public, max-age=60, s-maxage=60');
      expect(r.body).toEqual(publicDetermination(id, d));
      expect(Object.keys(JSON.parse(r.text) as object)).not.toContain('source');
      if (d.dates.injury !== null) {
        expect(r.body.dates.injuryYear).toBe(Number(d.dates.injury.slice(0, 4)));
        expect(r.text).not.toContain(d.dates.injury);
      }
    }
  });

  it('finds a case number typed in lower case, and letters without one by their id', async () => {
    const [id] = [...parsed.keys()].filter((k) => k.startsWith('CM'));
    expect(
      (await ok(`/api/determinations/${id!.toLowerCase()}`, publicDeterminationSchema)).id,
    ).toBe(id);
    const unnumbered = [...parsed.keys()].find((k) => k.startsWith('X-'));
    expect(unnumbered).toBeDefined();
    expect((await ok(`/api/determinations/${unnumbered!}`, publicDeterminationSchema)).id).toBe(
      unnumbered,
    );
  });

  it('answers 404 for an unknown case and 400 for something that is not a case number', async () => {
    expect(await refused('/api/determinations/CM99-9999999', 404)).toMatch(/CM99-9999999/);
    await refused('/api/determinations/not-a-case', 400, 'caseNumber');
    await refused(`/api/determinations/${'9'.repeat(300)}`, 400, 'caseNumber');
    await refused('/api/determinations/%', 400, 'caseNumber');
    await refused('/api/determinations/%E0%A4%A', 400, 'caseNumber');
  });

  it('never serves the organisation, the upload key or the PDF metadata', async () => {
    const { getDocument } = await getResolvedPDFJS();
    for (const path of corpusPdfs().slice(0, 5)) {
      const bytes = new Uint8Array(readFileSync(path));
      const task = getDocument({ data: bytes.slice(), verbosity: 0 });
      const { info } = await (await task.promise).getMetadata();
      await task.destroy();
      // Whatever identifying text the metadata holds (author, title, subject, keywords).
      const metadata = info as Record<string, unknown>;
      const values = ['Author', 'Title', 'Subject', 'Keywords']
        .map((k) => metadata[k])
        .filter((v): v is string => typeof v === 'string' && v.trim().length > 3);
      expect(values.length).toBeGreaterThan(0);
      const id = basename(path, '.pdf');
      for (const url of [
        `/api/determinations/${id}`,
        `/api/determinations?limit=100`,
        `/api/items?limit=100`,
        `/api/stats/similar?request=${encodeURIComponent('Norco 10/325mg #90')}`,
      ]) {
        const text = await (await fetch(new URL(url, server.url))).text();
        for (const secret of [ORG, 'uploads/', basename(path), ...values]) {
          expect(text, `${url} carries ${secret}`).not.toContain(secret);
        }
      }
    }
  });
});

describe.skipIf(!HAVE_LETTERS)('GET /api/determinations', () => {
  it('pages through every determination once, newest decision first, undated last', async () => {
    const seen: string[] = [];
    const dates: (string | null)[] = [];
    let cursor: string | null = null;
    let first = true;
    while (first || cursor !== null) {
      const r: Reply<z.output<typeof determinationsPageSchema>> = await get(
        `/api/determinations?limit=7${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`,
        determinationsPageSchema,
      );
      expect(r.status).toBe(200);
      if (first) expect(r.cacheControl).toBe('public, max-age=30, s-maxage=30');
      first = false;
      for (const d of r.body.determinations) {
        seen.push(d.caseNumber);
        dates.push(d.decisionDate);
        expect(d.items.length).toBe(parsed.get(d.caseNumber)!.issues.length);
      }
      cursor = r.body.cursor;
    }
    expect(seen.sort()).toEqual([...parsed.keys()].sort());
    const key = (d: string | null) => d ?? '0000-00-00';
    for (let i = 1; i < dates.length; i++) expect(key(dates[i - 1]!) >= key(dates[i]!)).toBe(true);
  });
});

describe.skipIf(!HAVE_LETTERS)('GET /api/items', () => {
  it('returns the items of each category, exactly as many as /api/stats counts', async () => {
    const stats = await ok('/api/stats?by=category', statsSchema);
    for (const category of CATEGORIES) {
      const group = stats.groups.find((g) => g.key === category);
      const items = await allItems(`category=${encodeURIComponent(category)}`);
      expect(items.length, category).toBe(group?.total ?? 0);
      expect(items.filter((i) => i.decision === 'overturned').length).toBe(group?.overturned ?? 0);
      expect(new Set(items.map((i) => `${i.caseNumber}#${i.ordinal}`)).size).toBe(items.length);
      expect(items.every((i) => i.category === category)).toBe(true);
    }
  });

  it('lists every item newest first with small pages, and reports the total', async () => {
    const expected = allParsedItems().length;
    const items: z.output<typeof itemsPageSchema>['items'] = [];
    let cursor: string | null = null;
    let total: number | null = null;
    do {
      const page: z.output<typeof itemsPageSchema> = await ok(
        `/api/items?limit=9${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`,
        itemsPageSchema,
      );
      total ??= page.total;
      items.push(...page.items);
      cursor = page.cursor;
    } while (cursor !== null);
    expect(total).toBe(expected);
    expect(items.length).toBe(expected);
    const order = items.map((i) => `${i.decisionDate ?? '0000-00-00'}#${i.caseNumber}`);
    for (let i = 1; i < order.length; i++) expect(order[i - 1]! >= order[i]!).toBe(true);
  });

  it('narrows by every filter as a recount of the parsed letters does', async () => {
    const items = allParsedItems();
    const pharma = items.filter((x) => x.i.category === 'Pharmaceuticals');
    const drug = pharma.find((x) => x.i.drug !== null)!.i.drug!;
    const specialty = items[0]!.d.reviewer.specialties[0]!;
    const region = items.find((x) => x.i.bodyRegions.length > 1)!.i.bodyRegions[1]!;
    const word = terms(pharma[0]!.i.request)[0]!;
    const dates = [
      ...new Set(items.map((x) => x.d.dates.decision).filter((d) => d !== null)),
    ].sort();
    const [low, high] = [
      dates[Math.floor(dates.length / 4)]!,
      dates[Math.floor(dates.length / 2)]!,
    ];
    const cases: [string, (x: (typeof items)[number]) => boolean][] = [
      [`drug=${encodeURIComponent(drug)}`, (x) => x.i.drug === drug],
      [
        `drug=${encodeURIComponent(drug)}&decision=upheld`,
        (x) => x.i.drug === drug && x.i.decision === 'upheld',
      ],
      [
        `specialty=${encodeURIComponent(specialty)}`,
        (x) => x.d.reviewer.specialties.includes(specialty),
      ],
      [`bodyRegion=${encodeURIComponent(region)}`, (x) => x.i.bodyRegions.includes(region)],
      [
        `category=Pharmaceuticals&specialty=${encodeURIComponent(specialty)}&decision=overturned`,
        (x) =>
          x.i.category === 'Pharmaceuticals' &&
          x.d.reviewer.specialties.includes(specialty) &&
          x.i.decision === 'overturned',
      ],
      [
        'subcategory=Opioids',
        (x) => x.i.category === 'Pharmaceuticals' && x.i.subcategory === 'Opioids',
      ],
      [`q=${encodeURIComponent(word)}`, (x) => requestTerms(x.i.request, x.i.drug).includes(word)],
      [
        `q=${encodeURIComponent(`${word} tablets`)}&category=Pharmaceuticals`,
        (x) =>
          x.i.category === 'Pharmaceuticals' && requestTerms(x.i.request, x.i.drug).includes(word),
      ],
      [
        `from=${low.slice(0, 7)}&to=${high}`,
        (x) =>
          x.d.dates.decision !== null &&
          x.d.dates.decision >= `${low.slice(0, 7)}-01` &&
          x.d.dates.decision <= high,
      ],
      [
        'decision=overturned&from=2016',
        (x) => x.i.decision === 'overturned' && x.d.dates.decision !== null,
      ],
    ];
    for (const [query, keep] of cases) {
      const want = items
        .filter(keep)
        .map((x) => `${x.id}#${x.i.ordinal}`)
        .sort();
      expect(want.length, query).toBeGreaterThan(0);
      const got = (await allItems(query)).map((i) => `${i.caseNumber}#${i.ordinal}`).sort();
      expect(got, query).toEqual(want);
    }
  });

  it('gives the total from the counters for a single filter, and null when it cannot', async () => {
    const stats = await ok('/api/stats?by=drug', statsSchema);
    const g = stats.groups[0]!;
    const page = await ok(`/api/items?drug=${encodeURIComponent(g.key)}&limit=1`, itemsPageSchema);
    expect(page.total).toBe(g.total);
    const overturned = await ok(
      `/api/items?drug=${encodeURIComponent(g.key)}&decision=overturned&limit=1`,
      itemsPageSchema,
    );
    expect(overturned.total).toBe(g.overturned);
    expect((await ok('/api/items?q=norco&limit=1', itemsPageSchema)).total).toBeNull();
  });

  it('refuses bad parameters, naming them', async () => {
    await refused('/api/items?limit=101', 400, 'limit');
    await refused('/api/items?limit=0', 400, 'limit');
    await refused('/api/items?limit=ten', 400, 'limit');
    await refused('/api/items?from=2017-02-30', 400, 'from');
    await refused('/api/items?to=17-02-03', 400, 'to');
    await refused('/api/items?from=2017-05&to=2017-04', 400, 'from');
    await refused('/api/items?category=Vitamins', 400, 'category');
    await refused('/api/items?bodyRegion=elbowish', 400, 'bodyRegion');
    await refused('/api/items?subcategory=Other', 400, 'category');
    await refused('/api/items?category=Surgery&subcategory=Opioids', 400, 'subcategory');
    await refused('/api/items?decision=maybe', 400, 'decision');
    await refused('/api/items?bodyRegion=spleen', 400, 'bodyRegion');
    await refused('/api/items?drug=Norco', 400, 'drug');
    await refused('/api/items?drug=unobtainium', 400, 'drug');
    await refused('/api/items?specialty=Astrology', 400, 'specialty');
    await refused(`/api/items?q=${'a'.repeat(201)}`, 400, 'q');
    await refused('/api/items?q=tablets%20daily%2030', 400, 'q');
    await refused('/api/items?sort=asc', 400, 'sort');
    await refused('/api/items?__proto__=1', 400, '__proto__');
    await refused('/api/items?constructor=1', 400, 'constructor');
  });
});

describe.skipIf(!HAVE_LETTERS)('cursors', () => {
  it('cannot be forged, altered or used with another query', async () => {
    const first = await ok('/api/items?category=Pharmaceuticals&limit=5', itemsPageSchema);
    const cursor = first.cursor!;
    const next = await ok(
      `/api/items?category=Pharmaceuticals&limit=5&cursor=${encodeURIComponent(cursor)}`,
      itemsPageSchema,
    );
    expect(next.items[0]).not.toEqual(first.items[0]);

    const flipped = cursor.slice(0, 20) + (cursor[20] === 'A' ? 'B' : 'A') + cursor.slice(21);
    await refused(`/api/items?category=Pharmaceuticals&limit=5&cursor=${flipped}`, 400, 'cursor');
    await refused(`/api/items?category=Surgery&limit=5&cursor=${cursor}`, 400, 'cursor');
    await refused(`/api/items?category=Pharmaceuticals&limit=6&cursor=${cursor}`, 400, 'cursor');
    await refused(`/api/determinations?limit=5&cursor=${cursor}`, 400, 'cursor');
    const forged = Buffer.from(
      JSON.stringify({
        years: ['2017'],
        streams: [{ decision: 'upheld', after: 'x', done: false }],
      }),
    ).toString('base64url');
    await refused(`/api/items?category=Pharmaceuticals&limit=5&cursor=${forged}`, 400, 'cursor');
    await refused(`/api/items?cursor=${'A'.repeat(3000)}`, 400, 'cursor');
  });
});

describe.skipIf(!HAVE_LETTERS)('GET /api/stats', () => {
  const dimensions = STATS_BY;

  it('equals a recount of `imr parse` over the corpus for every dimension', async () => {
    const totals = recount('total').get('*')!;
    for (const by of dimensions) {
      const r = await get(`/api/stats?by=${by}`, statsSchema);
      expect(r.status).toBe(200);
      expect(r.cacheControl).toBe(CACHE.statistics);
      expect(asTallies(r.body.groups), by).toEqual(recount(by));
      for (const g of r.body.groups) {
        expect(g.total).toBe(g.upheld + g.overturned);
        expect(Math.abs(g.overturnRate! - g.overturned / g.total)).toBeLessThan(0.0000501);
        expect([g.overturnRateLow, g.overturnRateHigh]).toEqual(
          wilsonInterval(g.overturned, g.total),
        );
      }
      if (by !== 'month' && by !== 'year') {
        expect(r.body.totals).toMatchObject(totals);
      }
    }
  });

  it('narrows to a category and to a range of months', async () => {
    for (const by of ['specialty', 'citation', 'bodyRegion', 'subcategory', 'drug', 'month']) {
      const r = await ok(`/api/stats?by=${by}&category=Pharmaceuticals`, statsSchema);
      expect(asTallies(r.groups), by).toEqual(recount(by, { category: 'Pharmaceuticals' }));
    }
    const ranged = await ok('/api/stats?by=category&from=2017-02-14&to=2017-05', statsSchema);
    expect(ranged.groups.length).toBeGreaterThan(2);
    expect(ranged.from).toBe('2017-02');
    expect(ranged.to).toBe('2017-05');
    expect(asTallies(ranged.groups)).toEqual(
      recount('category', { from: '2017-02', to: '2017-05' }),
    );
  });

  it('draws the rate by year for one subcategory, drug, specialty or guideline', async () => {
    const drug = (await ok('/api/stats?by=drug', statsSchema)).groups[0]!;
    const specialty = (await ok('/api/stats?by=specialty', statsSchema)).groups[0]!;
    const cases: [string, (d: Determination, i: Determination['issues'][number]) => boolean][] = [
      [`drug=${encodeURIComponent(drug.key)}`, (_, i) => i.drug === drug.key],
      [
        'subcategory=Opioids',
        (_, i) => i.category === 'Pharmaceuticals' && i.subcategory === 'Opioids',
      ],
      [
        `specialty=${encodeURIComponent(specialty.key)}`,
        (d) => d.reviewer.specialties.includes(specialty.key),
      ],
      [
        'guideline=mtus-chronic-pain-2016',
        (_, i) => i.citations.some((c) => c.guideline === 'mtus-chronic-pain-2016'),
      ],
    ];
    for (const [query, where] of cases) {
      for (const by of ['year', 'month']) {
        const r = await ok(`/api/stats?by=${by}&${query}`, statsSchema);
        expect(r.filter, query).not.toBeNull();
        expect(asTallies(r.groups), `${by} ${query}`).toEqual(recount(by, { where }));
        expect(r.groups.length, query).toBeGreaterThan(0);
      }
    }
    const scoped = await ok(
      `/api/stats?by=year&category=Pharmaceuticals&guideline=mtus-chronic-pain-2016`,
      statsSchema,
    );
    expect(asTallies(scoped.groups)).toEqual(
      recount('year', {
        category: 'Pharmaceuticals',
        where: (_, i) => i.citations.some((c) => c.guideline === 'mtus-chronic-pain-2016'),
      }),
    );
    expect(scoped.filter).toEqual({
      dimension: 'citation',
      value: 'mtus-chronic-pain-2016',
      label: 'MTUS Chronic Pain Medical Treatment Guidelines (2016)',
    });
    await refused('/api/stats?by=category&drug=gabapentin', 400, 'drug');
    await refused('/api/stats?by=year&drug=gabapentin&specialty=x', 400, 'specialty');
    await refused('/api/stats?by=year&guideline=odg2', 400, 'guideline');
    await refused('/api/stats?by=year&drug=Norco', 400, 'drug');
    await refused('/api/stats?by=year&specialty=Astrology', 400, 'specialty');
  });

  it('refuses an unknown grouping, a missing one and a malformed date', async () => {
    expect(await refused('/api/stats?by=colour', 400, 'by')).toMatch(/category, subcategory/);
    await refused('/api/stats', 400, 'by');
    await refused('/api/stats?by=month&from=2017-1', 400, 'from');
    await refused('/api/stats?by=month&category=Pharma', 400, 'category');
  });
});

describe.skipIf(!HAVE_LETTERS)('GET /api/stats/similar', () => {
  it('classifies a planned request and rests its rate on the counters', async () => {
    const r = await get(
      `/api/stats/similar?request=${encodeURIComponent('Norco 10/325mg #90')}`,
      similarSchema,
    );
    expect(r.status).toBe(200);
    expect(r.cacheControl).toBe(CACHE.statistics);
    const s = r.body;
    expect(s.classification).toMatchObject({
      category: 'Pharmaceuticals',
      subcategory: 'Opioids',
      drug: 'hydrocodone/acetaminophen',
    });
    const opioids = recount('subcategory').get('Pharmaceuticals|Opioids')!;
    const alt = s.alternatives.find((a) => a.dimension === 'subcategory')!;
    expect({ upheld: alt.upheld, overturned: alt.overturned }).toEqual(opioids);
    expect(s.alternatives.map((a) => a.dimension)).toEqual(['drug', 'subcategory', 'category']);
    expect(s.alternatives).toContainEqual(s.basis);
    expect(s.similar.length).toBeGreaterThan(0);
    expect(s.similar[0]!.drug).toBe('hydrocodone/acetaminophen');
    for (let i = 1; i < s.similar.length; i++) {
      expect(s.similar[i - 1]!.score).toBeGreaterThanOrEqual(s.similar[i]!.score);
    }
    // What reviewers cite: the category's guidelines, most cited first, on each side.
    const cited = recount('citation', { category: 'Pharmaceuticals' });
    const pharma = recount('category').get('Pharmaceuticals')!;
    expect(s.citations.scope.key).toBe('Pharmaceuticals');
    for (const decision of ['overturned', 'upheld'] as const) {
      const side = s.citations[decision];
      expect(side.decisions).toBe(pharma[decision]);
      const expected = [...cited]
        .filter(([k, t]) => !k.includes('|') && t[decision] > 0)
        .map(([key, t]) => ({ key, count: t[decision] }))
        .sort((a, b) => b.count - a.count || a.key.localeCompare(b.key))
        .slice(0, 5);
      expect(side.guidelines.map(({ key, count }) => ({ key, count }))).toEqual(expected);
      expect(side.guidelines.length).toBeGreaterThan(0);
    }
  });

  it('handles a request in other words', async () => {
    const s = await ok(
      `/api/stats/similar?request=${encodeURIComponent('acupuncture 12 sessions lumbar')}`,
      similarSchema,
    );
    expect(s.classification).toMatchObject({
      category: 'Rehabilitation',
      subcategory: 'Acupuncture',
    });
    expect(s.basis.total).toBeGreaterThan(0);
  });

  it('refuses a missing, empty or too long request', async () => {
    await refused('/api/stats/similar', 400, 'request');
    await refused('/api/stats/similar?request=%20%20', 400, 'request');
    await refused(`/api/stats/similar?request=${'x'.repeat(301)}`, 400, 'request');
  });
});

describe.skipIf(!HAVE_LETTERS)('GET /api/exports', () => {
  it('lists no snapshot before the first export, then the snapshot with files that download', async () => {
    const before = await get('/api/exports', exportsListSchema);
    expect(before.status).toBe(200);
    expect(before.body.snapshots).toEqual([]);

    const result = await runExport({
      table: stack.table,
      bucket: s3ExportBucket(stack.s3, stack.exportsBucket),
      logger: createLogger({ level: 'silent' }),
    });
    expect(result.status).toBe('complete');
    const r = await get('/api/exports', exportsListSchema);
    expect(r.cacheControl).toBe(CACHE.statistics);
    const [snapshot] = r.body.snapshots;
    expect(snapshot?.latest).toBe(true);
    const totals = recount('total').get('*')!;
    expect(snapshot!.totals).toMatchObject(totals);
    const category = snapshot!.files.find((f) => f.dimension === 'category' && f.format === 'csv')!;
    const res = await fetch(new URL(category.url, server.url));
    expect(res.status).toBe(200);
    const body = new Uint8Array(await res.arrayBuffer());
    expect(createHash('sha256').update(body).digest('hex')).toBe(category.sha256);
    expect(Buffer.from(body).toString('utf8')).toContain('Pharmaceuticals');
    for (const file of snapshot!.files) expect(file.url).toMatch(/^\/exports\/snapshots\//);
    // The job state beside the snapshots is not served.
    expect((await fetch(new URL('/exports/jobs/current.json', server.url))).status).toBe(404);
    expect((await fetch(new URL('/exports/snapshots/../jobs/lock.json', server.url))).status).toBe(
      404,
    );
  });
});

describe.skipIf(!HAVE_LETTERS)('the HTTP front', () => {
  it('refuses other methods and unknown API paths plainly', async () => {
    const post = await fetch(new URL('/api/items', server.url), { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    const missing = await fetch(new URL('/api/nothing-here', server.url));
    expect(missing.status).toBe(404);
  });

  it('reads only through GetItem, BatchGetItem and Query: never a Scan', () => {
    expect(operations.size).toBeGreaterThan(0);
    expect([...operations].sort()).toEqual(
      [...operations]
        .filter((o) => ['GetItemCommand', 'BatchGetItemCommand', 'QueryCommand'].includes(o))
        .sort(),
    );
    expect([...operations].some((o) => o === 'QueryCommand')).toBe(true);
  });
});
