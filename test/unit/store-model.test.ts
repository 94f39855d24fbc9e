import { describe, expect, it } from 'vitest';
import type { Determination } from '../../shared/record/determination.ts';
import { parseLetterText } from '../../shared/parser/parse-letter.ts';
import { requestTerms, terms } from '../../shared/search/terms.ts';
import { fromItem, toItem } from '../../shared/store/attributes.ts';
import { counterDeltas, indexEntries, mergeDeltas } from '../../shared/store/contribution.ts';
import {
  caseId,
  indexEntryKey,
  indexSortRange,
  parseStatsSortKey,
  STATS_SHARDS,
  statsPartition,
  statsShard,
  statsSortKey,
  unpart,
} from '../../shared/store/keys.ts';
import { renderLetter } from '../../synthetic/render-letter.ts';
import { SPEC } from '../fixtures/synthetic-letter.ts';

const record: Determination = parseLetterText(
  renderLetter(SPEC, { layout: 'full-letter' }),
  'CM16-0000042.txt',
);

describe('keys', () => {
  it('escapes separators in values so a value cannot reach into the next segment', () => {
    const a = indexEntryKey('drug', 'a#b', {
      decision: 'upheld',
      decisionDate: '2016-01-02',
      caseId: 'X',
      ordinal: 1,
    });
    expect(a.PK).toBe('IX#drug#a%23b#2016');
    expect(unpart('a%23b%25c')).toBe('a#b%c');
    expect(parseStatsSortKey(statsSortKey('MTUS|Chronic #1 100%', '2016-12'))).toEqual({
      month: '2016-12',
      value: 'MTUS|Chronic #1 100%',
    });
    expect(parseStatsSortKey(statsSortKey('x', null))).toEqual({ month: null, value: 'x' });
  });

  it('sorts index entries by decision, then date, so a date range is one key range', () => {
    const key = (date: string | null, decision = 'upheld') =>
      indexEntryKey('category', 'Surgery', {
        decision,
        decisionDate: date,
        caseId: 'CM16-0000001',
        ordinal: 2,
      }).SK;
    const range = indexSortRange('upheld', '2016-03-01', '2016-03-31');
    expect(key('2016-03-01') >= range.low && key('2016-03-01') <= range.high).toBe(true);
    expect(key('2016-03-31') <= range.high).toBe(true);
    expect(key('2016-04-01') > range.high).toBe(true);
    expect(key('2016-02-29') < range.low).toBe(true);
    expect(
      key('2016-03-15', 'overturned') > range.high || key('2016-03-15', 'overturned') < range.low,
    ).toBe(true);
    // Undated letters sit in year 0000 and sort before every real date.
    expect(
      indexEntryKey('category', 'Surgery', {
        decision: 'upheld',
        decisionDate: null,
        caseId: 'a',
        ordinal: 1,
      }).PK,
    ).toBe('IX#category#Surgery#0000');
  });

  it('identifies a letter without a case number by its content', () => {
    expect(caseId('CM16-0000001', 'ab'.repeat(32))).toBe('CM16-0000001');
    expect(caseId(null, 'abcdef0123456789ffff')).toBe('X-abcdef0123456789');
  });

  it('spreads counters over every shard and keeps one case in one shard', () => {
    const shards = new Set(
      Array.from({ length: 400 }, (_, i) => statsShard(`CM16-${String(i).padStart(7, '0')}`)),
    );
    expect(shards.size).toBe(STATS_SHARDS);
    expect(statsShard('CM16-0000042')).toBe(statsShard('CM16-0000042'));
    expect(statsPartition('specialty', 2, 'Pharmaceuticals')).toBe(
      'STATS#specialty@Pharmaceuticals#2',
    );
  });
});

describe('contribution of a determination', () => {
  it('indexes every item under each of its dimension values', () => {
    const entries = indexEntries('CM16-0000042', record);
    const dims = (ordinal: number) =>
      entries
        .filter((e) => e.item.ordinal === ordinal)
        .map((e) => e.PK.split('#').slice(1, 3).join('#'));
    expect(dims(1)).toEqual(
      expect.arrayContaining([
        'category#Diagnostic Testing',
        'subcategory#Diagnostic Testing|Imaging%2FRadiology'.replace('%2F', '/'),
        'bodyRegion#lumbar spine',
        'specialty#Pain Management',
        'term#mri',
        'term#lumbar',
      ]),
    );
    expect(dims(3)).toEqual(
      expect.arrayContaining([
        'drug#hydrocodone/acetaminophen',
        'term#norco',
        'term#hydrocodone',
        'term#acetaminophen',
      ]),
    );
    expect(entries.every((e) => e.item.decisionDate === '2016-12-09')).toBe(true);
    expect(new Set(entries.map((e) => `${e.PK} ${e.SK}`)).size).toBe(entries.length);
  });

  it('counts each item once per dimension value, all time and in its month', () => {
    const deltas = counterDeltas('CM16-0000042', record);
    const shard = statsShard('CM16-0000042');
    const get = (pk: string, sk: string) => deltas.find((d) => d.PK === pk && d.SK === sk);
    expect(get(statsPartition('total', shard), 'A#*')).toMatchObject({ upheld: 2, overturned: 1 });
    expect(get(statsPartition('total', shard), 'M#2016-12#*')).toMatchObject({
      upheld: 2,
      overturned: 1,
    });
    expect(get(statsPartition('category', shard), 'A#Pharmaceuticals')).toMatchObject({
      upheld: 0,
      overturned: 1,
    });
    // The reviewer of the third item cited nothing: counted under citation source "None".
    expect(get(statsPartition('citationSource', shard), 'A#None')).toMatchObject({ overturned: 1 });
    expect(
      get(statsPartition('specialty', shard, 'Pharmaceuticals'), 'A#Pain Management'),
    ).toMatchObject({
      overturned: 1,
    });
  });

  it('takes back exactly what it added', () => {
    const plus = counterDeltas('CM16-0000042', record, 1);
    const minus = counterDeltas('CM16-0000042', record, -1);
    expect(mergeDeltas(plus, minus)).toEqual([]);
    const flipped: Determination = {
      ...record,
      issues: record.issues.map((i) => ({ ...i, decision: 'overturned' as const })),
    };
    const moved = mergeDeltas(counterDeltas('CM16-0000042', flipped), minus);
    const total = moved.find((d) => d.SK === 'A#*' && d.PK.startsWith('STATS#total#'));
    expect(total).toMatchObject({ upheld: -2, overturned: 2 });
  });
});

describe('request terms', () => {
  it('normalises words, keeps doses together and drops stopwords and bare numbers', () => {
    expect(terms('Norco 10/325mg #90 for the Lumbar spine, 2 times a week')).toEqual([
      'norco',
      '10/325mg',
      'lumbar',
      'spine',
    ]);
    expect(terms('Lidoderm 5% patch')).toEqual(['lidoderm', '5%', 'patch']);
    expect(terms('Résumé')).toEqual(['resume']);
  });

  it("adds the drug's generic name so a brand request is found by it", () => {
    expect(requestTerms('Norco 10/325mg #90', 'hydrocodone/acetaminophen')).toEqual([
      'norco',
      '10/325mg',
      'hydrocodone',
      'acetaminophen',
    ]);
  });
});

describe('attribute values', () => {
  it('round-trips the shapes the table stores', () => {
    const value = {
      s: 'x',
      n: 1.5,
      b: true,
      z: null,
      bytes: new Uint8Array([1, 2]),
      l: ['a', 2],
      m: { k: 'v' },
    };
    expect(fromItem(toItem(value))).toEqual(value);
    expect(toItem({ gone: undefined, kept: 'x' })).toEqual({ kept: { S: 'x' } });
  });
});
