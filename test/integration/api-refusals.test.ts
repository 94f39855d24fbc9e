import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalServer, type LocalServer } from '../../local/server.ts';
import { startLocalStack, type LocalStack } from '../../local/stack.ts';
import { CACHE, ENDPOINTS, type Endpoint } from '../../shared/api/endpoints.ts';
import { errorSchema } from '../../shared/api/schemas.ts';
import { createLogger } from '../../shared/logger.ts';
import { STATS_BY } from '../../shared/stats/statistics.ts';
import { BODY_REGIONS } from '../../shared/taxonomy/classify.ts';
import { GUIDELINE_IDS } from '../../shared/taxonomy/guidelines.ts';
import { CATEGORIES } from '../../shared/taxonomy/vocabulary.ts';
import { renderLetter } from '../../synthetic/render-letter.ts';
import { SPEC } from '../fixtures/synthetic-letter.ts';
import { uploadAndWait } from '../support/store.ts';

// Issue 18: every invalid value of every parameter of every endpoint answers 400 the same way,
// over HTTP through the local server on DynamoDB Local: a JSON error naming the parameter, whose
// message is one sentence that starts with the parameter's name (or says it is unknown) and
// then says what it takes.

let stack: LocalStack;
let server: LocalServer;

beforeAll(async () => {
  stack = await startLocalStack({ dataDir: null, logger: createLogger({ level: 'silent' }) });
  await uploadAndWait(
    stack,
    'uploads/refusals/CM16-0000042.txt',
    renderLetter(SPEC, { layout: 'full-letter' }),
  );
  server = await startLocalServer(stack, {
    port: 0,
    logger: createLogger({ level: 'silent' }),
    siteDir: null,
  });
}, 120_000);

afterAll(async () => {
  await server?.close();
  await stack?.stop();
});

const oneOf = (values: readonly string[]) => `one of: ${values.join(', ')}`;
const ITEM_FILTERS = 'category, subcategory, drug, bodyRegion, specialty, decision, from, to, q';
const REGIONS = BODY_REGIONS.map(([name]) => name);

/** Bad values of the filters /api/items and /api/feed.atom share, and what each answer says. */
const FILTER_CASES: [query: string, parameter: string, message: string | RegExp][] = [
  ['category=Vitamins', 'category', `category must be ${oneOf(CATEGORIES)}`],
  ['subcategory=', 'subcategory', 'subcategory must not be empty'],
  [
    'subcategory=Astrology',
    'subcategory',
    /^subcategory "Astrology" is not a subcategory .*: send one as \/api\/stats\?by=subcategory lists them$/,
  ],
  [
    'category=Surgery&subcategory=Opioids',
    'subcategory',
    /^subcategory of Surgery must be one of: /,
  ],
  [
    'subcategory=Other',
    'category',
    /^category is required with subcategory "Other", which is in several: one of Pharmaceuticals, /,
  ],
  [
    'drug=Norco',
    'drug',
    'drug takes the generic name: for "Norco" send "hydrocodone/acetaminophen"',
  ],
  [
    'drug=unobtainium',
    'drug',
    /^drug "unobtainium" is not a drug .*: send a generic name as \/api\/stats\?by=drug lists them$/,
  ],
  [`drug=${'x'.repeat(121)}`, 'drug', 'drug must be at most 120 characters'],
  ['bodyRegion=spleen', 'bodyRegion', `bodyRegion must be ${oneOf(REGIONS)}`],
  [
    'specialty=Astrology',
    'specialty',
    /^specialty "Astrology" is not a reviewer specialty .*: send one as \/api\/stats\?by=specialty lists them$/,
  ],
  ['decision=maybe', 'decision', 'decision must be one of: upheld, overturned'],
  ['from=2016/01/01', 'from', 'from must be a date: YYYY, YYYY-MM or YYYY-MM-DD'],
  ['from=2017-13', 'from', 'from has no month 13: a month is 01 to 12'],
  ['to=2017-02-30', 'to', 'to is not a real date: 2017-02-30 (2017-02 has 28 days)'],
  [
    'from=2017-05&to=2017-04',
    'from',
    'from (2017-05-01) is after to (2017-04-30): from must be on or before to',
  ],
  ['q=%20', 'q', 'q must not be empty'],
  [`q=${'a'.repeat(201)}`, 'q', 'q must be at most 200 characters'],
  ['q=tablets%2030', 'q', /^q has no searchable words \(/],
];

async function refusal(path: string): Promise<{ parameter: string; message: string }> {
  const res = await fetch(new URL(path, server.url));
  const text = await res.text();
  expect(res.status, `${path}: ${text}`).toBe(400);
  expect(res.headers.get('content-type'), path).toBe('application/json; charset=utf-8');
  expect(res.headers.get('cache-control'), path).toBe(CACHE.none);
  const body = errorSchema.parse(JSON.parse(text));
  expect(body.error).toBe('bad-request');
  // One sentence, starting with what to change.
  const parameter = body.parameter ?? '';
  expect(
    body.message.startsWith(`${parameter} `) ||
      body.message.startsWith(`unknown parameter "${parameter}"`),
    `${path}: ${body.message}`,
  ).toBe(true);
  expect(body.message, path).not.toMatch(/\n|Invalid (input|option)|expected /);
  return { parameter, message: body.message };
}

function expectSays(
  got: { parameter: string; message: string },
  parameter: string,
  message: string | RegExp,
) {
  expect(got.parameter).toBe(parameter);
  if (typeof message === 'string') expect(got.message).toBe(message);
  else expect(got.message).toMatch(message);
}

describe('refusals, the same way on every endpoint', () => {
  it('/api/items and /api/feed.atom: every filter, with what it takes', async () => {
    for (const path of ['/api/items', '/api/feed.atom']) {
      for (const [query, parameter, message] of FILTER_CASES) {
        expectSays(await refusal(`${path}?${query}`), parameter, message);
      }
    }
    for (const query of ['limit=0', 'limit=101', 'limit=ten', 'limit=-1']) {
      expectSays(
        await refusal(`/api/items?${query}`),
        'limit',
        'limit must be a whole number from 1 to 100',
      );
    }
    expectSays(
      await refusal('/api/items?cursor=abc'),
      'cursor',
      /^cursor is not one this query returned \(/,
    );
    expectSays(
      await refusal('/api/items?sort=asc'),
      'sort',
      `unknown parameter "sort": the parameters are ${ITEM_FILTERS}, limit, cursor`,
    );
    expectSays(
      await refusal('/api/feed.atom?limit=10'),
      'limit',
      `unknown parameter "limit": the parameters are ${ITEM_FILTERS}`,
    );
  });

  it('/api/determinations and /api/determinations/{caseNumber}', async () => {
    expectSays(
      await refusal('/api/determinations?limit=1000'),
      'limit',
      'limit must be a whole number from 1 to 100',
    );
    expectSays(
      await refusal('/api/determinations?cursor=abc'),
      'cursor',
      /^cursor is not one this query returned/,
    );
    expectSays(
      await refusal('/api/determinations?q=x'),
      'q',
      'unknown parameter "q": the parameters are limit, cursor',
    );
    expectSays(
      await refusal('/api/determinations/CM16-12'),
      'caseNumber',
      'caseNumber must look like CM16-0123456',
    );
  });

  it('/api/stats: the grouping, its filters and how they combine', async () => {
    expectSays(await refusal('/api/stats'), 'by', `by is required: ${oneOf(STATS_BY)}`);
    expectSays(await refusal('/api/stats?by=colour'), 'by', `by must be ${oneOf(STATS_BY)}`);
    expectSays(
      await refusal('/api/stats?by=month&category=Pharma'),
      'category',
      `category must be ${oneOf(CATEGORIES)}`,
    );
    expectSays(
      await refusal('/api/stats?by=month&from=2017-1'),
      'from',
      'from must be a date: YYYY, YYYY-MM or YYYY-MM-DD',
    );
    expectSays(
      await refusal('/api/stats?by=month&to=2017-00'),
      'to',
      'to has no month 0: a month is 01 to 12',
    );
    expectSays(
      await refusal('/api/stats?by=year&guideline=odg2'),
      'guideline',
      `guideline must be ${oneOf(GUIDELINE_IDS)}`,
    );
    expectSays(
      await refusal('/api/stats?by=category&drug=gabapentin'),
      'drug',
      'drug narrows by=month or by=year only',
    );
    expectSays(
      await refusal('/api/stats?by=year&drug=gabapentin&specialty=x'),
      'specialty',
      'specialty cannot be given with drug: give one of subcategory, drug, specialty, guideline',
    );
    expectSays(
      await refusal('/api/stats?by=year&drug=gabapentin&category=Surgery'),
      'category',
      'category must be Pharmaceuticals or left out with a drug: a drug is a Pharmaceuticals item',
    );
    expectSays(
      await refusal('/api/stats?by=year&drug=Norco'),
      'drug',
      /^drug takes the generic name/,
    );
    expectSays(
      await refusal('/api/stats?by=year&specialty=Astrology'),
      'specialty',
      /^specialty "Astrology" is not a reviewer specialty/,
    );
    expectSays(
      await refusal('/api/stats?by=year&subcategory=Astrology'),
      'subcategory',
      /^subcategory "Astrology" is not a subcategory/,
    );
    expectSays(
      await refusal('/api/stats?by=year&colour=red'),
      'colour',
      /^unknown parameter "colour": the parameters are by, category, /,
    );
  });

  it('/api/stats/similar', async () => {
    expectSays(
      await refusal('/api/stats/similar'),
      'request',
      /^request is required: a planned request as a physician would write it/,
    );
    expectSays(
      await refusal('/api/stats/similar?request=%20'),
      'request',
      'request must not be empty',
    );
    expectSays(
      await refusal(`/api/stats/similar?request=${'x'.repeat(301)}`),
      'request',
      'request must be at most 300 characters',
    );
  });

  it('the endpoints without parameters refuse any, by name', async () => {
    const endpoints: readonly Endpoint[] = ENDPOINTS;
    const none = endpoints.filter(
      (e) => e.querySchema !== undefined && Object.keys(e.querySchema.shape).length === 0,
    );
    expect(none.map((e) => e.path).sort()).toEqual([
      '/api/determinations/{caseNumber}',
      '/api/exports',
      '/api/health',
      '/api/openapi.json',
    ]);
    for (const e of none) {
      expectSays(
        await refusal(`${e.path.replace('{caseNumber}', 'CM16-0000042')}?colour=red`),
        'colour',
        'unknown parameter "colour": this endpoint takes no parameters',
      );
    }
    // Every endpoint validates what it is sent: none is left without a schema.
    expect(
      endpoints.filter((e) => e.querySchema === undefined && e.pathSchema === undefined),
    ).toEqual([]);
  });
});
