import { describe, expect, it } from 'vitest';
import {
  newestStream,
  planItemsRead,
  yearsToRead,
  type ItemsQuery,
} from '../../shared/api/items-plan.ts';
import { refusal } from '../support/refusal.ts';
import type { ItemSummary } from '../../shared/store/contribution.ts';

const summary = (over: Partial<ItemSummary> = {}): ItemSummary => ({
  caseNumber: 'CM16-0123456',
  ordinal: 1,
  request: 'Hydrocodone/acetaminophen 10/325mg for the lumbar spine',
  decision: 'upheld',
  category: 'Pharmaceuticals',
  subcategory: 'Opioids',
  drug: 'hydrocodone/acetaminophen',
  bodyRegion: 'lumbar spine',
  decisionDate: '2016-03-04',
  bodyRegions: ['lumbar spine', 'knee'],
  specialties: ['Orthopedic Surgery'],
  ...over,
});

// Every filter at once, then one fewer from the front at a time: the first left drives.
const ALL: ItemsQuery = {
  drug: 'hydrocodone/acetaminophen',
  subcategory: 'Opioids',
  q: 'lumbar spine',
  specialty: 'Orthopedic Surgery',
  bodyRegion: 'knee',
  category: 'Pharmaceuticals',
};

describe('planItemsRead: the driving index', () => {
  it('reads through the most selective filter: drug, subcategory, word, specialty, region, category', () => {
    const drive = (q: ItemsQuery): [string, string] => {
      const plan = planItemsRead(q);
      return [plan.dimension, plan.value];
    };
    const { drug: _d, ...noDrug } = ALL;
    const { subcategory: _s, ...noSub } = noDrug;
    const { q: _q, ...noWords } = noSub;
    const { specialty: _p, ...noSpecialty } = noWords;
    const { bodyRegion: _b, ...noRegion } = noSpecialty;
    expect(drive(ALL)).toEqual(['drug', 'hydrocodone/acetaminophen']);
    expect(drive(noDrug)).toEqual(['subcategory', 'Pharmaceuticals|Opioids']);
    expect(drive(noSub)).toEqual(['term', 'lumbar']);
    expect(drive(noWords)).toEqual(['specialty', 'Orthopedic Surgery']);
    expect(drive(noSpecialty)).toEqual(['bodyRegion', 'knee']);
    expect(drive(noRegion)).toEqual(['category', 'Pharmaceuticals']);
    expect(drive({})).toEqual(['all', '*']);
  });

  it('stores the drug as its lower-case generic name', () => {
    expect(planItemsRead({ drug: 'Hydrocodone/Acetaminophen' }).value).toBe(
      'hydrocodone/acetaminophen',
    );
  });

  it('resolves the category of a subcategory only one category has', () => {
    const plan = planItemsRead({ subcategory: 'Acupuncture' });
    expect([plan.dimension, plan.value]).toEqual(['subcategory', 'Rehabilitation|Acupuncture']);
  });

  it('does not count a category beside its subcategory as a filter of its own', () => {
    const plan = planItemsRead({ category: 'Pharmaceuticals', subcategory: 'Opioids' });
    expect([plan.dimension, plan.narrowed]).toEqual(['subcategory', false]);
  });

  it('ignores the decision when choosing, and reads one stream per decision', () => {
    expect(planItemsRead({}).decisions).toEqual(['overturned', 'upheld']);
    const upheld = planItemsRead({ decision: 'upheld', bodyRegion: 'hip' });
    expect([upheld.dimension, upheld.decisions, upheld.narrowed]).toEqual([
      'bodyRegion',
      ['upheld'],
      false,
    ]);
  });

  it('takes the default limit unless the query names one', () => {
    expect(planItemsRead({}).limit).toBe(20);
    expect(planItemsRead({ limit: 7 }).limit).toBe(7);
  });
});

describe('planItemsRead: words, narrowing and the exact total', () => {
  it('checks the words after the one that drives, or all of them when another filter drives', () => {
    expect(planItemsRead({ q: 'MRI of the right knee' }).checkedWords).toEqual(['right', 'knee']);
    expect(planItemsRead({ q: 'knee' }).checkedWords).toEqual([]);
    // A word is more selective than a specialty, a region or a category.
    expect(planItemsRead({ q: 'MRI knee', specialty: 'Radiology' }).checkedWords).toEqual(['knee']);
    expect(planItemsRead({ q: 'knee', category: 'Surgery' }).checkedWords).toEqual([]);
    expect(planItemsRead({ q: 'MRI knee', subcategory: 'Imaging/Radiology' }).checkedWords).toEqual(
      ['mri', 'knee'],
    );
    expect(planItemsRead({ q: 'MRI knee', drug: 'ibuprofen' }).checkedWords).toEqual([
      'mri',
      'knee',
    ]);
  });

  it('is narrowed when a second filter or a checked word will discard entries', () => {
    const narrowed = (q: ItemsQuery): boolean => planItemsRead(q).narrowed;
    expect(narrowed({})).toBe(false);
    expect(narrowed({ q: 'knee' })).toBe(false);
    expect(narrowed({ category: 'Surgery' })).toBe(false);
    expect(narrowed({ q: 'knee arthroscopy' })).toBe(true);
    expect(narrowed({ q: 'knee', category: 'Surgery' })).toBe(true);
    expect(narrowed({ category: 'Surgery', bodyRegion: 'knee' })).toBe(true);
    expect(narrowed({ specialty: 'Orthopedic Surgery', drug: 'ibuprofen' })).toBe(true);
  });

  it('counts the total only with no narrowing, no words and no dates', () => {
    const countable = (q: ItemsQuery): boolean => planItemsRead(q).countable;
    expect(countable({})).toBe(true);
    expect(countable({ category: 'Surgery' })).toBe(true);
    expect(countable({ drug: 'ibuprofen', decision: 'overturned' })).toBe(true);
    expect(countable({ subcategory: 'Opioids', category: 'Pharmaceuticals' })).toBe(true);
    expect(countable({ q: 'knee' })).toBe(false);
    expect(countable({ category: 'Surgery', bodyRegion: 'knee' })).toBe(false);
    expect(countable({ category: 'Surgery', from: '2016' })).toBe(false);
    expect(countable({ to: '2020-06' })).toBe(false);
  });
});

describe('planItemsRead: dates and refusals', () => {
  it('turns from and to into the first and last days they cover', () => {
    const plan = planItemsRead({ from: '2016-02', to: '2017' });
    expect([plan.from, plan.to]).toEqual(['2016-02-01', '2017-12-31']);
    const open = planItemsRead({});
    expect([open.from, open.to]).toEqual([null, null]);
  });

  it('refuses what no read could answer, naming the parameter, as the API did', () => {
    const backwards = refusal(() => planItemsRead({ from: '2018', to: '2017-06' }));
    expect([backwards.parameter, backwards.message]).toEqual([
      'from',
      'from (2018-01-01) is after to (2017-06-30): from must be on or before to',
    ]);
    expect(refusal(() => planItemsRead({ from: '2016-13' })).message).toBe(
      'from has no month 13: a month is 01 to 12',
    );
    expect(refusal(() => planItemsRead({ to: '2017-02-29' })).parameter).toBe('to');
    expect(refusal(() => planItemsRead({ subcategory: 'Other' })).parameter).toBe('category');
    expect(
      refusal(() => planItemsRead({ category: 'Surgery', subcategory: 'Opioids' })).parameter,
    ).toBe('subcategory');
    expect(refusal(() => planItemsRead({ drug: 'Norco' })).message).toBe(
      'drug takes the generic name: for "Norco" send "hydrocodone/acetaminophen"',
    );
    expect(refusal(() => planItemsRead({ q: 'tablets 10' })).parameter).toBe('q');
  });

  it('checks the range before the other filters', () => {
    expect(
      refusal(() => planItemsRead({ from: '2018', to: '2017', drug: 'Norco' })).parameter,
    ).toBe('from');
  });
});

describe('yearsToRead', () => {
  const held = ['2024', '2023', '2019', '2016', '0000'];

  it('reads every year, undated last, when the query has no dates', () => {
    expect(yearsToRead(planItemsRead({}), held)).toEqual(held);
  });

  it('reads the years a range reaches and never the undated one', () => {
    expect(yearsToRead(planItemsRead({ from: '2019-06' }), held)).toEqual(['2024', '2023', '2019']);
    expect(yearsToRead(planItemsRead({ to: '2019-03-01' }), held)).toEqual(['2019', '2016']);
    expect(yearsToRead(planItemsRead({ from: '2017', to: '2023-01' }), held)).toEqual([
      '2023',
      '2019',
    ]);
    expect(yearsToRead(planItemsRead({ from: '2020', to: '2022' }), held)).toEqual([]);
  });
});

describe('matches', () => {
  it('accepts an entry that meets every filter', () => {
    expect(planItemsRead(ALL).matches(summary())).toBe(true);
    expect(planItemsRead({}).matches(summary({ drug: null, bodyRegions: [] }))).toBe(true);
  });

  it('rejects an entry that misses any one filter', () => {
    const { matches } = planItemsRead(ALL);
    expect(matches(summary({ drug: 'oxycodone' }))).toBe(false);
    expect(matches(summary({ subcategory: 'NSAIDs' }))).toBe(false);
    expect(matches(summary({ category: 'Surgery' }))).toBe(false);
    expect(matches(summary({ bodyRegions: ['lumbar spine'] }))).toBe(false);
    expect(matches(summary({ specialties: ['Pain Medicine'] }))).toBe(false);
    expect(matches(summary({ request: 'Hydrocodone/acetaminophen 10/325mg for the knee' }))).toBe(
      false,
    );
  });

  it('finds a word in the drug as well as in the request', () => {
    const { matches } = planItemsRead({ q: 'norco acetaminophen' });
    expect(matches(summary({ request: 'Norco 10/325mg #90' }))).toBe(true);
    expect(matches(summary({ request: 'Norco 10/325mg #90', drug: null }))).toBe(false);
  });

  it('matches the subcategory by name and the category it was resolved to', () => {
    const { matches } = planItemsRead({ subcategory: 'Acupuncture' });
    expect(matches(summary({ category: 'Rehabilitation', subcategory: 'Acupuncture' }))).toBe(true);
    expect(matches(summary({ category: 'Pharmaceuticals', subcategory: 'Acupuncture' }))).toBe(
      false,
    );
  });

  it('does not recheck the word that drove the read', () => {
    // The index entry was found under the word; the summary's request may spell it otherwise.
    const { matches } = planItemsRead({ q: 'knee' });
    expect(matches(summary({ request: 'Arthroscopy' }))).toBe(true);
  });
});

describe('newestStream', () => {
  const stream = (decision: string, ...dates: string[]) => ({
    decision,
    buffer: dates.map((d) => ({ sk: `${decision}#${d}` })),
  });

  it('takes the stream whose next entry is newest, whatever its decision sorts as', () => {
    const upheld = stream('upheld', '2016-03-01#CM16-1', '2016-01-01#CM16-2');
    const overturned = stream('overturned', '2016-02-01#CM16-3');
    expect(newestStream([overturned, upheld])).toBe(upheld);
    expect(newestStream([upheld, overturned])).toBe(upheld);
  });

  it('keeps the first stream on a tie', () => {
    const a = stream('overturned', '2016-02-01#CM16-1');
    const b = stream('upheld', '2016-02-01#CM16-1');
    expect(newestStream([a, b])).toBe(a);
    expect(newestStream([b, a])).toBe(b);
  });
});
