import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Determination } from '../../shared/record/determination.ts';
import { csvLine } from '../../shared/csv.ts';
import {
  ITEM_COLUMNS,
  itemCsvHeader,
  itemCsvLine,
  ItemParquetWriter,
  itemRows,
  type ItemRow,
} from '../../shared/export/items.ts';
import { FileSink } from '../../shared/export/sink.ts';
import { statisticsCsv } from '../../shared/export/statistics-files.ts';
import { parseLetterText } from '../../shared/parser/parse-letter.ts';
import { renderLetter } from '../../synthetic/render-letter.ts';
import { generateLetter } from '../../synthetic/generate.ts';
import { SPEC } from '../fixtures/synthetic-letter.ts';
import { csvObjects, parseCsv } from '../support/csv.ts';
import { memoryBucket } from '../support/export-bucket.ts';
import { readParquetRows, rowGroupSizes } from '../support/parquet.ts';

const AWKWARD = [
  'plain',
  'comma, inside',
  'a "quoted" word',
  '"',
  'line\nbreak',
  'carriage\rreturn',
  'both\r\nends',
  ' leading and trailing ',
  '',
  'ünïcödé — 日本',
  '=1+1',
];

describe('CSV (RFC 4180)', () => {
  it('quotes exactly the fields that need it and round-trips them', () => {
    expect(csvLine(['a', 'b,c', 'd"e', null, 3, true])).toBe('a,"b,c","d""e",,3,true\r\n');
    const text = csvLine(['h', ...AWKWARD.map((_, i) => `c${i}`)]) + csvLine(['v', ...AWKWARD]);
    expect(parseCsv(text)).toEqual([
      ['h', ...AWKWARD.map((_, i) => `c${i}`)],
      ['v', ...AWKWARD],
    ]);
  });

  it('round-trips any strings', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.string({ unit: 'grapheme' }), { minLength: 1 })), (rows) => {
        // A record of one empty field is an empty line, which RFC 4180 cannot tell from nothing.
        const records = rows.filter((r) => !(r.length === 1 && r[0] === ''));
        expect(parseCsv(records.map((r) => csvLine(r)).join(''))).toEqual(records);
      }),
    );
  });

  it('writes statistics with awkward keys and labels intact', () => {
    const text = statisticsCsv({
      by: 'citation',
      category: null,
      filter: null,
      from: null,
      to: null,
      groups: AWKWARD.map((label, i) => ({
        key: `MTUS|${label}`,
        label,
        upheld: i,
        overturned: 1,
        total: i + 1,
        overturnRate: i === 0 ? null : 0.5,
        overturnRateLow: i === 0 ? null : 0.1,
        overturnRateHigh: i === 0 ? null : 0.9,
      })),
      totals: {
        upheld: 0,
        overturned: 0,
        total: 0,
        overturnRate: null,
        overturnRateLow: null,
        overturnRateHigh: null,
      },
    });
    const rows = csvObjects(text);
    expect(parseCsv(text)[0]).toEqual([
      'key',
      'label',
      'upheld',
      'overturned',
      'total',
      'overturnRate',
    ]);
    expect(rows.map((r) => r.label)).toEqual(AWKWARD);
    expect(rows.map((r) => r.key)).toEqual(AWKWARD.map((l) => `MTUS|${l}`));
    expect(rows[0]!.overturnRate).toBe('');
    expect(rows[1]!.overturnRate).toBe('0.5');
  });
});

function parsed(): Determination {
  return parseLetterText(renderLetter(SPEC, { layout: 'full-letter' }), 'private-file-name.txt');
}

/** A record whose coded values hold every character CSV must protect. */
function awkwardRecord(): Determination {
  const base = parsed();
  return {
    ...base,
    reviewer: { ...base.reviewer, specialties: ['Pain, "Spine"\r\nMedicine', 'Orthopedics'] },
    issues: base.issues.map((issue, i) => ({
      ...issue,
      drug: i === 0 ? 'drug, with "quotes"\nand a line' : issue.drug,
      bodyRegions: i === 0 ? ['knee', 'lumbar spine'] : issue.bodyRegions,
    })),
  };
}

describe('the item-level dataset', () => {
  it('has one row per item with coded values only: no request, rationale or file name', () => {
    const record = parsed();
    const rows = itemRows('CM16-0000042', record);
    expect(rows).toHaveLength(record.issues.length);
    expect(Object.keys(rows[0]!)).toEqual(ITEM_COLUMNS.map((c) => c.name));
    expect(rows[0]).toMatchObject({
      caseNumber: 'CM16-0000042',
      ordinal: 1,
      decisionDate: '2016-12-09',
      injuryYear: 2015,
      category: record.issues[0]!.category,
      decision: 'upheld',
      specialties: ['Physical Medicine & Rehabilitation', 'Pain Management'],
      synthetic: false,
    });
    expect(rows[0]!.citationSources).toEqual(['MTUS', 'ODG']);
    const text = itemCsvHeader() + rows.map(itemCsvLine).join('');
    for (const issue of record.issues) {
      expect(text).not.toContain(issue.request);
      expect(text).not.toContain(issue.rationale.slice(0, 40));
    }
    expect(text).not.toContain('private-file-name');
    expect(text).not.toContain(record.summary!.slice(0, 30));
    // The injury is published by its year only.
    expect(text).not.toContain('2015-10-13');
  });

  it('marks synthetic letters', () => {
    const { bytes, fileName } = generateLetter(1, 1, 'text');
    const record = parseLetterText(new TextDecoder().decode(bytes), fileName);
    expect(itemRows('x', record).every((r) => r.synthetic)).toBe(true);
  });

  it('writes CSV that reads back to the same values, lists joined with "; "', () => {
    const rows = itemRows('X-0123456789abcdef', awkwardRecord());
    const back = csvObjects(itemCsvHeader() + rows.map(itemCsvLine).join(''));
    expect(back[0]!.drug).toBe('drug, with "quotes"\nand a line');
    expect(back[0]!.specialties).toBe('Pain, "Spine"\r\nMedicine; Orthopedics');
    expect(back[0]!.bodyRegions).toBe('knee; lumbar spine');
    expect(back.map((r) => r.caseNumber)).toEqual(rows.map(() => 'X-0123456789abcdef'));
  });

  it('writes Parquet in row groups that reads back through hyparquet to the same rows', async () => {
    const bucket = memoryBucket();
    const rows: ItemRow[] = [];
    for (let i = 0; i < 40; i++) {
      const record = awkwardRecord();
      const undated = i % 7 === 0;
      rows.push(
        ...itemRows(`CM16-00000${String(i).padStart(2, '0')}`, {
          ...record,
          dates: { ...record.dates, decision: undated ? null : record.dates.decision },
          priority: undated ? null : record.priority,
        }),
      );
    }
    const writer = new ItemParquetWriter(new FileSink(bucket, 'items.parquet', 'x', 1024), 25);
    for (let i = 0; i < rows.length; i += 7) await writer.add(rows.slice(i, i + 7));
    const written = await writer.close();

    const bytes = bucket.objects.get('items.parquet')!;
    expect(written.bytes).toBe(bytes.length);
    expect(written.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    // Streamed: sent as parts of the multipart upload, not held whole.
    expect(bucket.uploads.parts).toBeGreaterThan(1);

    expect(rowGroupSizes(bytes)).toEqual(chunkSizes(rows.length, 25));
    expect(await readParquetRows(bytes)).toEqual(rows);
  });
});

function chunkSizes(total: number, size: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < total; i += size) out.push(Math.min(size, total - i));
  return out;
}

describe('streaming a file to the bucket', () => {
  it('sends a small file in one put, with its size and digest', async () => {
    const bucket = memoryBucket();
    const sink = new FileSink(bucket, 'a.csv', 'text/csv');
    await sink.write(Buffer.from('hello, '));
    await sink.write(Buffer.from('world'));
    expect(bucket.objects.has('a.csv')).toBe(false);
    const written = await sink.close();
    expect(Buffer.from(bucket.objects.get('a.csv')!).toString()).toBe('hello, world');
    expect(written).toEqual({
      key: 'a.csv',
      bytes: 12,
      sha256: createHash('sha256').update('hello, world').digest('hex'),
    });
    expect(bucket.uploads.parts).toBe(0);
  });

  it('cuts a large file into parts of at least the part size, in order', async () => {
    const bucket = memoryBucket();
    const sink = new FileSink(bucket, 'b.csv', 'text/csv', 10);
    const pieces = Array.from({ length: 30 }, (_, i) => `${i},`);
    for (const p of pieces) await sink.write(Buffer.from(p));
    await sink.close();
    expect(Buffer.from(bucket.objects.get('b.csv')!).toString()).toBe(pieces.join(''));
    expect(bucket.uploads).toMatchObject({ completed: 1, aborted: 0 });
    expect(bucket.uploads.parts).toBeGreaterThan(3);
  });

  it('leaves nothing behind when aborted', async () => {
    const bucket = memoryBucket();
    const sink = new FileSink(bucket, 'c.csv', 'text/csv', 4);
    await sink.write(Buffer.from('0123456789'));
    await sink.abort();
    expect(bucket.objects.has('c.csv')).toBe(false);
    expect(bucket.uploads).toMatchObject({ completed: 0, aborted: 1 });
    await expect(sink.write(Buffer.from('x'))).rejects.toThrow(/closed/);
  });
});
