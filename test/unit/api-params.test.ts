import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { openCursor, queryContext, sealCursor, cursorKey } from '../../shared/api/cursor.ts';
import { ENDPOINTS } from '../../shared/api/endpoints.ts';
import { buildOpenApi } from '../../shared/api/openapi.ts';
import {
  checkDrug,
  dayOf,
  itemsQuerySchema,
  parseParams,
  resolveSubcategory,
  statsQuerySchema,
} from '../../shared/api/params.ts';
import { BadRequestError } from '../../shared/errors.ts';
import { refusal } from '../support/refusal.ts';

describe('query parameters', () => {
  it('name the parameter in every refusal', () => {
    expect(refusal(() => parseParams(itemsQuerySchema, { limit: '101' })).parameter).toBe('limit');
    expect(refusal(() => parseParams(itemsQuerySchema, { limit: '-1' })).parameter).toBe('limit');
    expect(refusal(() => parseParams(itemsQuerySchema, { colour: 'red' })).message).toBe(
      'unknown parameter "colour": the parameters are category, subcategory, drug, bodyRegion, ' +
        'specialty, decision, from, to, q, limit, cursor',
    );
    expect(refusal(() => parseParams(statsQuerySchema, {})).message).toMatch(
      /^by is required: one of: category, /,
    );
    expect(refusal(() => parseParams(itemsQuerySchema, { from: '2016/01/01' })).parameter).toBe(
      'from',
    );
  });

  it('turns years and months into the first or last real day', () => {
    expect(dayOf('from', '2016', 'first')).toBe('2016-01-01');
    expect(dayOf('to', '2016', 'last')).toBe('2016-12-31');
    expect(dayOf('to', '2016-02', 'last')).toBe('2016-02-29');
    expect(dayOf('to', '2017-02', 'last')).toBe('2017-02-28');
    expect(dayOf('from', '2017-02-28', 'first')).toBe('2017-02-28');
    expect(refusal(() => dayOf('from', '2017-02-29', 'first')).message).toMatch(/not a real date/);
    expect(refusal(() => dayOf('to', '2017-00', 'last')).parameter).toBe('to');
  });

  it('finds the category of a subcategory when only one has it', () => {
    expect(resolveSubcategory(undefined, 'Opioids')).toBe('Pharmaceuticals');
    expect(resolveSubcategory('Rehabilitation', 'Other')).toBe('Rehabilitation');
    expect(refusal(() => resolveSubcategory(undefined, 'Other')).parameter).toBe('category');
    expect(refusal(() => resolveSubcategory(undefined, 'Vitamins')).parameter).toBe('subcategory');
    expect(refusal(() => resolveSubcategory('Programs', 'Other')).message).toMatch(
      /no subcategories/,
    );
  });
});

describe('cursors', () => {
  const anything = z.unknown();
  const key = cursorKey('a secret of at least thirty-two characters');
  const context = queryContext('items', { category: 'Surgery', limit: 20 });

  it('round-trip for the query that made them, whatever the parameter order', () => {
    const position = { years: ['2017'], after: 'upheld#2017-01-01#CM17-0000001#001' };
    const cursor = sealCursor(key, context, position);
    const same = queryContext('items', { limit: 20, category: 'Surgery', cursor: 'ignored' });
    expect(openCursor(key, same, cursor, anything)).toEqual(position);
    expect(cursor).not.toContain('CM17');
  });

  it('are refused with another query, another key, or one bit changed', () => {
    const cursor = sealCursor(key, context, { n: 1 });
    const other = queryContext('items', { category: 'Programs', limit: 20 });
    expect(refusal(() => openCursor(key, other, cursor, anything)).parameter).toBe('cursor');
    expect(
      refusal(() =>
        openCursor(cursorKey('another secret of thirty-two chars!!'), context, cursor, anything),
      ).parameter,
    ).toBe('cursor');
    const bytes = Buffer.from(cursor, 'base64url');
    for (const i of [0, 13, bytes.length - 1]) {
      const altered = Buffer.from(bytes);
      altered[i]! ^= 1;
      expect(() => openCursor(key, context, altered.toString('base64url'), anything)).toThrow(
        BadRequestError,
      );
    }
    expect(() => openCursor(key, context, '', anything)).toThrow(BadRequestError);
    expect(() => openCursor(key, context, '%%%', anything)).toThrow(BadRequestError);
    expect(() => openCursor(key, context, `${cursor}!!`, anything)).toThrow(BadRequestError);
  });

  it('are refused, not a 500, when the position inside has another shape', () => {
    const cursor = sealCursor(key, context, { years: 'not a list' });
    const schema = z.object({ years: z.array(z.string()) });
    expect(refusal(() => openCursor(key, context, cursor, schema)).parameter).toBe('cursor');
  });
});

describe('the OpenAPI document', () => {
  it('has every endpoint, its parameters with their constraints, and its responses', () => {
    const doc = buildOpenApi(ENDPOINTS) as {
      paths: Record<
        string,
        {
          get: {
            parameters: { name: string; required: boolean; schema: Record<string, unknown> }[];
            responses: Record<string, unknown>;
          };
        }
      >;
    };
    expect(Object.keys(doc.paths)).toHaveLength(ENDPOINTS.length);
    const stats = doc.paths['/api/stats']!.get;
    const by = stats.parameters.find((p) => p.name === 'by')!;
    expect(by.required).toBe(true);
    expect(by.schema['enum']).toContain('citation');
    expect(stats.parameters.find((p) => p.name === 'from')!.required).toBe(false);
    expect(Object.keys(stats.responses)).toEqual(['200', '400', '500']);
    expect(Object.keys(doc.paths['/api/determinations/{caseNumber}']!.get.responses)).toContain(
      '404',
    );
    // The feed: the filters of /api/items without its paging, answered as Atom.
    const feed = doc.paths['/api/feed.atom']!.get;
    const items = doc.paths['/api/items']!.get;
    expect(feed.parameters).toEqual(
      items.parameters.filter((p) => p.name !== 'limit' && p.name !== 'cursor'),
    );
    expect(Object.keys((feed.responses['200'] as { content: object }).content)).toEqual([
      'application/atom+xml',
    ]);
  });
});

describe('refusals of unknown values', () => {
  it('say which values a parameter takes', () => {
    const decision = refusal(() => parseParams(itemsQuerySchema, { decision: 'maybe' }));
    expect(decision.parameter).toBe('decision');
    expect(decision.message).toBe('decision must be one of: upheld, overturned');
    expect(refusal(() => parseParams(itemsQuerySchema, { bodyRegion: 'spleen' })).message).toMatch(
      /^bodyRegion must be one of: .*lumbar spine/,
    );
  });

  it('take a drug by its generic name and point a brand name to it', () => {
    expect(checkDrug('Hydrocodone/Acetaminophen')).toBe('hydrocodone/acetaminophen');
    expect(checkDrug('gabapentin')).toBe('gabapentin');
    const brand = refusal(() => checkDrug('Norco'));
    expect(brand.parameter).toBe('drug');
    expect(brand.message).toBe(
      'drug takes the generic name: for "Norco" send "hydrocodone/acetaminophen"',
    );
    expect(refusal(() => checkDrug('unobtainium')).message).toMatch(
      /^drug "unobtainium" is not a drug IMR Atlas recognises/,
    );
  });
});
