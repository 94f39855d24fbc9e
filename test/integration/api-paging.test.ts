import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  dynamoClientConfig,
  startDynamoDbLocal,
  type DynamoDbLocal,
} from '../../local/dynamodb-local.ts';
import { ensureTable } from '../../local/stack.ts';
import { createApiDeps, type ApiDeps } from '../../shared/api/deps.ts';
import { listDeterminations } from '../../shared/api/determinations.ts';
import { listItems, MAX_QUERIES } from '../../shared/api/items.ts';
import { itemsQuerySchema, parseParams } from '../../shared/api/params.ts';
import type { Determination } from '../../shared/record/determination.ts';
import { createLogger } from '../../shared/logger.ts';
import { parseLetter } from '../../shared/parser/parse-letter.ts';
import { requestTerms } from '../../shared/search/terms.ts';
import { canonicalDrugNames } from '../../shared/taxonomy/drugs.ts';
import { counterDeltas } from '../../shared/store/contribution.ts';
import { batchWrite, counterLoadRequests, loadRequests } from '../../bench/bulk-load.ts';
import { generateLetter } from '../../synthetic/generate.ts';

// Pagination where the corpus cannot reach: synthetic letters over a dozen decision years, some
// undated, read in pages of every size, with the read budget forced low so pages stop mid-year.
// Each listing must equal the recount: every item once, newest first.

let db: DynamoDbLocal;
let deps: ApiDeps;
/** Queries the API sent since the last `sent.reset()`. */
const sent = {
  queries: 0,
  reset() {
    this.queries = 0;
  },
};
const letters: { id: string; record: Determination }[] = [];

beforeAll(async () => {
  db = await startDynamoDbLocal({});
  const client = new DynamoDBClient(dynamoClientConfig(db.endpoint));
  await ensureTable(client, 'paging');
  // The read budget is in Queries (DynamoDB Local reports no read capacity for them).
  client.middlewareStack.add(
    (next, context) => (args) => {
      if (context.commandName === 'QueryCommand') sent.queries++;
      return next(args);
    },
    { step: 'initialize', name: 'countQueries' },
  );
  const table = { client, tableName: 'paging' };
  const requests = [];
  const deltas = [];
  for (let index = 0; index < 160; index++) {
    const letter = generateLetter(index, 3, 'text');
    const parsed = await parseLetter(letter.bytes, letter.fileName);
    // Every tenth letter has no decision date, as some real letters do not state one.
    const record =
      index % 10 === 9 ? { ...parsed, dates: { ...parsed.dates, decision: null } } : parsed;
    const id = record.caseNumber!;
    letters.push({ id, record });
    requests.push(
      ...loadRequests({
        id,
        record,
        contentHash: `h${index}`,
        organisation: 'acme',
        sourceKey: `uploads/test/${letter.fileName}`,
        sequencer: String(index).padStart(32, '0'),
        now: new Date().toISOString(),
      }),
    );
    deltas.push(...counterDeltas(id, record));
  }
  requests.push(...counterLoadRequests(deltas));
  for (let i = 0; i < requests.length; i += 25) await batchWrite(table, requests.slice(i, i + 25));
  deps = createApiDeps({
    table,
    cursorSecret: 'x'.repeat(40),
    logger: createLogger({ level: 'silent' }),
  });
}, 300_000);

afterAll(async () => {
  await db?.stop();
});

const order = (date: string | null, id: string, ordinal: number): string =>
  `${date ?? '0000-00-00'}#${id}#${String(ordinal).padStart(3, '0')}`;

function expected(
  keep: (r: Determination, i: Determination['issues'][number]) => boolean,
): string[] {
  return letters
    .flatMap(({ id, record }) =>
      record.issues
        .filter((i) => keep(record, i))
        .map((i) => order(record.dates.decision, id, i.ordinal)),
    )
    .sort()
    .reverse();
}

async function pages(
  raw: Record<string, string>,
  limit: number,
  maxReads?: number,
): Promise<{ items: string[]; pages: number; emptyLast: boolean }> {
  const items: string[] = [];
  let cursor: string | undefined;
  let count = 0;
  let emptyLast = false;
  for (;;) {
    const query = parseParams(itemsQuerySchema, {
      ...raw,
      limit: String(limit),
      ...(cursor === undefined ? {} : { cursor }),
    });
    sent.reset();
    const page = await listItems(
      deps,
      query,
      maxReads === undefined ? {} : { maxQueries: maxReads },
    );
    count++;
    // The list of decision years is cached per process (shared/api/deps.ts): warm after the first.
    if (count > 1) expect(sent.queries).toBeLessThanOrEqual(maxReads ?? MAX_QUERIES);
    expect(page.items.length).toBeLessThanOrEqual(limit);
    items.push(...page.items.map((i) => order(i.decisionDate, i.caseNumber, i.ordinal)));
    if (page.cursor === null) {
      emptyLast = page.items.length === 0 && count > 1;
      return { items, pages: count, emptyLast };
    }
    cursor = page.cursor;
    if (count > 2000) throw new Error('pagination did not end');
  }
}

describe('paging through items', () => {
  it('spans many years and undated letters', () => {
    const years = new Set(letters.map((l) => l.record.dates.decision?.slice(0, 4) ?? 'none'));
    expect(years.size).toBeGreaterThan(10);
    expect(years.has('none')).toBe(true);
  });

  it('lists every item once, newest first, at every page size, with no empty last page', async () => {
    const want = expected(() => true);
    for (const limit of [1, 2, 3, 7, 100]) {
      const got = await pages({}, limit);
      expect(got.items, `limit ${limit}`).toEqual(want);
      expect(got.emptyLast, `limit ${limit}`).toBe(false);
    }
  });

  it('merges one decision or both, with dates, and stops mid-year when the read budget runs out', async () => {
    const drug = letters.flatMap((l) => l.record.issues).find((i) => i.drug !== null)!.drug!;
    const cases: [
      Record<string, string>,
      (r: Determination, i: Determination['issues'][number]) => boolean,
    ][] = [
      [{ decision: 'overturned' }, (_r, i) => i.decision === 'overturned'],
      [{ category: 'Pharmaceuticals' }, (_r, i) => i.category === 'Pharmaceuticals'],
      [
        { from: '2017-03-04', to: '2022' },
        (r) =>
          r.dates.decision !== null &&
          r.dates.decision >= '2017-03-04' &&
          r.dates.decision <= '2022-12-31',
      ],
      [
        { drug, q: 'retrospective' },
        (_r, i) => i.drug === drug && requestTerms(i.request, i.drug).includes('retrospective'),
      ],
      [
        {
          category: 'Pharmaceuticals',
          decision: 'upheld',
          specialty: letters[0]!.record.reviewer.specialties[0]!,
        },
        (r, i) =>
          i.category === 'Pharmaceuticals' &&
          i.decision === 'upheld' &&
          r.reviewer.specialties.includes(letters[0]!.record.reviewer.specialties[0]!),
      ],
    ];
    for (const [query, keep] of cases) {
      const want = expected(keep);
      expect(want.length, JSON.stringify(query)).toBeGreaterThan(0);
      for (const [limit, maxReads] of [
        [3, undefined],
        [5, 2],
        [50, 3],
      ] as const) {
        const got = await pages(query, limit, maxReads);
        expect(got.items, `${JSON.stringify(query)} limit ${limit} reads ${maxReads}`).toEqual(
          want,
        );
      }
    }
  });

  it('checks a word against every item when another filter drives the read', async () => {
    // A word some, but not all, of one drug's requests use.
    const issues = letters.flatMap((l) => l.record.issues).filter((i) => i.drug !== null);
    let item = issues[0]!;
    let word = '';
    for (const candidate of issues) {
      const same = issues.filter((i) => i.drug === candidate.drug);
      const w = requestTerms(candidate.request, candidate.drug).find((t) =>
        same.some((i) => !requestTerms(i.request, i.drug).includes(t)),
      );
      if (w !== undefined) {
        item = candidate;
        word = w;
        break;
      }
    }
    expect(word).not.toBe('');
    const want = expected(
      (_r, i) => i.drug === item.drug && requestTerms(i.request, i.drug).includes(word),
    );
    const got = await pages({ drug: item.drug!, q: word }, 4);
    expect(got.items).toEqual(want);
    expect(want.length).toBeLessThan(expected((_r, i) => i.drug === item.drug).length);
  });

  it('counts a subcategory alone from its counter', async () => {
    const page = await listItems(
      deps,
      parseParams(itemsQuerySchema, { subcategory: 'Opioids', limit: '1' }),
    );
    expect(page.total).toBe(
      expected((_r, i) => i.category === 'Pharmaceuticals' && i.subcategory === 'Opioids').length,
    );
  });
});

describe('the read budget', () => {
  it('costs at most 5 Queries a request, even for a query that matches nothing', async () => {
    // A drug IMR Atlas knows (an unknown one is refused before any read) that no letter names.
    const named = new Set(letters.flatMap((l) => l.record.issues.map((i) => i.drug)));
    const absent = [...canonicalDrugNames()].sort().find((d) => !named.has(d))!;
    const query = parseParams(itemsQuerySchema, { drug: absent, limit: '20' });
    await deps.years();
    sent.reset();
    const first = await listItems(deps, query);
    expect(first.items).toEqual([]);
    // Two rounds of both decision streams; before the budget, both streams of all 12 years (24).
    expect(sent.queries).toBe(4);
    // It says it has not finished: the cursor continues where the budget ran out, to the end.
    let cursor = first.cursor;
    let pagesRead = 1;
    while (cursor !== null) {
      sent.reset();
      const next = await listItems(deps, { ...query, cursor });
      expect(next.items).toEqual([]);
      expect(sent.queries).toBeLessThanOrEqual(MAX_QUERIES);
      cursor = next.cursor;
      pagesRead++;
      expect(pagesRead).toBeLessThan(50);
    }
  });

  it('costs at most 5 Queries for every page of every filter, the first included', async () => {
    const drug = letters.flatMap((l) => l.record.issues).find((i) => i.drug !== null)!.drug!;
    for (const raw of [
      {},
      { decision: 'upheld' },
      { category: 'Pharmaceuticals', q: 'retrospective' },
      { drug, from: '2015', to: '2019' },
      { q: 'retrospective review' },
    ]) {
      await deps.years();
      let cursor: string | undefined;
      do {
        sent.reset();
        const page = await listItems(
          deps,
          parseParams(itemsQuerySchema, { ...raw, limit: '25', ...(cursor ? { cursor } : {}) }),
        );
        expect(sent.queries, JSON.stringify(raw)).toBeLessThanOrEqual(MAX_QUERIES);
        cursor = page.cursor ?? undefined;
      } while (cursor !== undefined);
    }
  });
});

describe('paging through determinations', () => {
  it('ends with a null cursor exactly at the last determination', async () => {
    const want = letters
      .map((l) => `${l.record.dates.decision ?? '0000-00-00'}#${l.id}`)
      .sort()
      .reverse();
    for (const limit of [1, 4, 16, 160]) {
      const got: string[] = [];
      let cursor: string | undefined;
      let count = 0;
      do {
        const page = await listDeterminations(deps, {
          limit,
          ...(cursor === undefined ? {} : { cursor }),
        });
        got.push(
          ...page.determinations.map((d) => `${d.decisionDate ?? '0000-00-00'}#${d.caseNumber}`),
        );
        expect(page.determinations.length, `limit ${limit} page ${count}`).toBeGreaterThan(0);
        cursor = page.cursor ?? undefined;
        count++;
      } while (cursor !== undefined);
      expect(got, `limit ${limit}`).toEqual(want);
      expect(count).toBe(Math.ceil(want.length / limit));
    }
  });
});
