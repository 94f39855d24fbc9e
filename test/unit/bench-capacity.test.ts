import { describe, expect, it } from 'vitest';
import {
  attributeBytes,
  itemBytes,
  letterWritePlan,
  packedBatchUnits,
  PartitionLoad,
  withoutYear,
  writeUnits,
  yearPackedCounter,
} from '../../bench/capacity.ts';
import type { Determination } from '../../shared/record/determination.ts';
import { parseLetterText } from '../../shared/parser/parse-letter.ts';
import { counterDeltas, indexEntries } from '../../shared/store/contribution.ts';
import { loadRequests } from '../../bench/bulk-load.ts';
import { renderLetter } from '../../synthetic/render-letter.ts';
import { SPEC } from '../fixtures/synthetic-letter.ts';

// The arithmetic behind the backfill figures in docs/RELIABILITY.md ("Scale").

const record: Determination = parseLetterText(
  renderLetter(SPEC, { layout: 'full-letter' }),
  'CM16-0000042.txt',
);
const recordItem = loadRequests({
  id: 'CM16-0000042',
  record,
  contentHash: 'a'.repeat(64),
  organisation: 'acme',
  sourceKey: 'uploads/acme/CM16-0000042.pdf',
  sequencer: '0'.repeat(32),
  now: '2026-11-25T00:00:00.000Z',
})[0]!.PutRequest!.Item!;

describe('item sizes and write units', () => {
  it('sizes attribute values as DynamoDB bills them', () => {
    expect(attributeBytes({ S: 'héllo' })).toBe(6);
    expect(attributeBytes({ N: '12345' })).toBe(4);
    expect(attributeBytes({ N: '-0.5' })).toBe(2);
    expect(attributeBytes({ B: new Uint8Array(10) })).toBe(10);
    expect(attributeBytes({ BOOL: true })).toBe(1);
    expect(attributeBytes({ L: [{ S: 'ab' }, { NULL: true }] })).toBe(3 + 3 + 2);
    expect(attributeBytes({ M: { k: { S: 'v' } } })).toBe(3 + 1 + 1 + 1);
    expect(itemBytes({ PK: { S: 'CASE#1' }, n: { N: '7' } })).toBe(2 + 6 + 1 + 2);
  });

  it('bills 1 unit per KB started, 2 inside a transaction', () => {
    expect(writeUnits(10, false)).toBe(1);
    expect(writeUnits(1024, false)).toBe(1);
    expect(writeUnits(1025, false)).toBe(2);
    expect(writeUnits(1025, true)).toBe(4);
  });
});

describe('a letter’s write plan', () => {
  const plan = letterWritePlan('CM16-0000042', record, recordItem);

  it('writes every index entry and counter once, each counter in the letter’s one shard', () => {
    expect(plan.filter((w) => w.kind === 'entry')).toHaveLength(
      indexEntries('CM16-0000042', record).length,
    );
    const counters = plan.filter((w) => w.kind === 'counter');
    expect(counters).toHaveLength(counterDeltas('CM16-0000042', record).length);
    expect(new Set(counters.map((w) => w.pk.slice(-1))).size).toBe(1);
    // Claim and finish copy the record to its year's recent partition; the finish queues the
    // job, and the batch deletes it.
    expect(plan.filter((w) => w.kind === 'queue' && w.pk.startsWith('QUEUE#'))).toHaveLength(2);
    expect(plan.filter((w) => w.pk === 'GSI1:RECENT#2016')).toHaveLength(2);
  });

  it('sums units per partition, and merges years when asked', () => {
    const load = new PartitionLoad();
    load.add([
      { pk: 'IX#all#*#2016', sk: 'a', units: 2, kind: 'entry' },
      { pk: 'IX#all#*#2017', sk: 'b', units: 2, kind: 'entry' },
      { pk: 'STATS#total#1', sk: 'A#*', units: 2, kind: 'counter' },
    ]);
    load.add([{ pk: 'STATS#total#1', sk: 'A#*', units: 2, kind: 'counter' }], withoutYear);
    expect(load.units).toBe(8);
    expect(load.hottest(1)[0]).toEqual({
      partition: 'STATS#total#1',
      unitsPerLetter: 2,
      lettersPerSecond: 500,
    });
    expect(withoutYear('IX#drug#gabapentin#2016')).toBe('IX#drug#gabapentin#<year>');
    expect(withoutYear('STATS#total#1')).toBe('STATS#total#1');
  });
});

describe('a packed layout’s arithmetic', () => {
  it('packs a month’s counter into its value’s year, without the shard', () => {
    expect(yearPackedCounter({ PK: 'STATS#drug#3', SK: 'M#2016-12#ibuprofen' })).toEqual({
      pk: 'STATS#drug',
      sk: 'Y#2016#ibuprofen',
    });
    expect(yearPackedCounter({ PK: 'STATS#total#0', SK: 'A#*' })).toEqual({
      pk: 'STATS#total',
      sk: 'A#*',
    });
  });

  const entries = indexEntries('CM16-0000042', record);
  const partitions = new Set(entries.map((e) => e.PK)).size;
  const counterItems = new Set(
    counterDeltas('CM16-0000042', record).map((d) => {
      const { pk, sk } = yearPackedCounter(d);
      return `${pk} ${sk}`;
    }),
  ).size;

  it('writes a letter alone as one segment per partition and one item per value and year', () => {
    const u = packedBatchUnits([{ id: 'CM16-0000042', record, recordItem }]);
    expect(u.record).toBe(2 * writeUnits(itemBytes(recordItem), false));
    expect(u.status).toBe(2);
    expect(u.postings).toBe(partitions);
    expect(u.counters).toBe(counterItems);
    // One letter is one month in one shard: as many counter items as it has updates.
    expect(u.counters).toBe(counterDeltas('CM16-0000042', record).length);
    expect(u.total).toBe(u.record + u.status + u.postings + u.counters);
  });

  it('shares segments and counters among the letters of a batch', () => {
    // The same letter under other case numbers: same partitions, same counters.
    const ids = ['CM16-0000042', 'CM16-0000043', 'CM16-0000044', 'CM16-0000045'];
    const u = packedBatchUnits(ids.map((id) => ({ id, record, recordItem })));
    expect(u.postings).toBe(partitions / ids.length);
    expect(u.counters).toBe(counterItems / ids.length);
    expect(u.record).toBe(2 * writeUnits(itemBytes(recordItem), false));
  });
});
