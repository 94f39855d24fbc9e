import { describe, expect, it } from 'vitest';
import { commonPrefix } from '../../cli/await-receipts.ts';
import { receiptTable } from '../../cli/receipts.ts';
import { csvField, csvLine } from '../../shared/csv.ts';
import { dailyCsv, dayBefore } from '../../shared/receipts/daily.ts';
import {
  dailyRollupKey,
  isReceiptKey,
  receiptFor,
  receiptJson,
  receiptKey,
  receiptSchema,
  type Receipt,
} from '../../shared/receipts/receipt.ts';
import { organisationUploadsTimeRange } from '../../shared/store/keys.ts';
import type { UploadRecord } from '../../shared/store/uploads.ts';

const upload: UploadRecord = {
  key: 'uploads/acme/letters/a.pdf',
  organisation: 'acme',
  status: 'parsed',
  reason: null,
  message: null,
  caseNumber: 'CM16-0000001',
  items: 2,
  outcome: 'upheld',
  contentHash: 'ab'.repeat(32),
  size: 1234,
  objectVersion: 'v-secret',
  sequencer: '00A1'.padEnd(32, '0'),
  uploadId: 'u-1',
  updatedAt: '2024-05-01T10:00:00.000Z',
};

function receipt(overrides: Partial<Receipt>): Receipt {
  return { ...receiptFor(upload), ...overrides };
}

describe('receipt keys', () => {
  it('mirrors uploads/<org>/<path> as receipts/<org>/<path>.json', () => {
    expect(receiptKey('uploads/acme/letters/a.pdf')).toBe('receipts/acme/letters/a.pdf.json');
    expect(receiptKey('uploads/acme/a.json')).toBe('receipts/acme/a.json.json');
  });

  it('keeps spaces, punctuation and non-ASCII characters as they are', () => {
    expect(receiptKey('uploads/acme/my letter (1) + copy.pdf')).toBe(
      'receipts/acme/my letter (1) + copy.pdf.json',
    );
    expect(receiptKey('uploads/acme/Ärztebrief é 漢字 🙂.txt')).toBe(
      'receipts/acme/Ärztebrief é 漢字 🙂.txt.json',
    );
  });

  it('has no receipt for keys outside an organisation folder', () => {
    expect(receiptKey('uploads/stray.pdf')).toBeNull();
    expect(receiptKey('receipts/acme/a.pdf.json')).toBeNull();
    expect(receiptKey('uploads/a b/x.pdf')).toBeNull();
  });

  it('shortens a receipt key that would pass 1,024 bytes, uniquely, between characters', () => {
    const long = (tail: string) => `uploads/acme/${'é'.repeat(510)}${tail}.txt`;
    const a = receiptKey(long('a'))!;
    const b = receiptKey(long('b'))!;
    expect(Buffer.byteLength(long('a'))).toBeGreaterThan(1000);
    for (const k of [a, b]) {
      expect(Buffer.byteLength(k)).toBeLessThanOrEqual(1024);
      expect(k).toMatch(/^receipts\/acme\/é+~[0-9a-f]{16}\.json$/);
      // No half character: the key round-trips through UTF-8.
      expect(Buffer.from(k, 'utf8').toString('utf8')).toBe(k);
      expect(isReceiptKey(k)).toBe(true);
    }
    expect(a).not.toBe(b);
    // A key just under the limit is not touched.
    const fits = `uploads/acme/${'x'.repeat(1024 - 'receipts/acme/.json'.length)}`;
    expect(receiptKey(fits)).toBe(`receipts/acme/${'x'.repeat(1005)}.json`);
  });

  it('keeps daily roll-ups apart from receipts', () => {
    expect(dailyRollupKey('acme', '2024-05-01')).toBe('receipts/acme/daily/2024-05-01.csv');
    expect(isReceiptKey('receipts/acme/daily/2024-05-01.csv')).toBe(false);
    // An upload that happens to be named like a roll-up gets a receipt that cannot clash.
    expect(receiptKey('uploads/acme/daily/2024-05-01.csv')).toBe(
      'receipts/acme/daily/2024-05-01.csv.json',
    );
  });
});

describe('receipts', () => {
  it('carry the status and none of the ingest bookkeeping', () => {
    const r = receiptFor(upload);
    expect(r).toEqual({
      receiptVersion: 1,
      key: upload.key,
      organisation: 'acme',
      status: 'parsed',
      caseNumber: 'CM16-0000001',
      items: 2,
      outcome: 'upheld',
      contentHash: upload.contentHash,
      size: 1234,
      uploadId: 'u-1',
      time: upload.updatedAt,
      reason: null,
      message: null,
    });
    expect(receiptJson(r)).not.toMatch(/v-secret|00A1/);
  });

  it('serialise the same status to the same bytes, and read back', () => {
    const text = receiptJson(receiptFor(upload));
    expect(receiptJson(receiptFor({ ...upload }))).toBe(text);
    expect(receiptSchema.parse(JSON.parse(text))).toEqual(receiptFor(upload));
    expect(receiptSchema.safeParse({ ...JSON.parse(text), status: 'lost' }).success).toBe(false);
  });
});

describe('CSV (RFC 4180)', () => {
  it('quotes fields with commas, quotes or line breaks, doubling quotes', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\r')).toBe('"cr\r"');
    expect(csvField('')).toBe('');
    expect(csvField(null)).toBe('');
    expect(csvField(3)).toBe('3');
    expect(csvField('é ü 漢字')).toBe('é ü 漢字');
    expect(csvLine(['a', 'b,c', null, 2])).toBe('a,"b,c",,2\r\n');
  });

  it('has a header, one row per file (oldest first, then by key), and a totals row, in CRLF lines', () => {
    const csv = dailyCsv([
      receipt({ key: 'uploads/acme/b.pdf', time: '2024-05-01T11:00:00.000Z' }),
      receipt({
        key: 'uploads/acme/Smith, "J".pdf',
        status: 'failed',
        caseNumber: null,
        items: null,
        outcome: null,
        reason: 'pdf-no-text',
        message: 'Smith, "J".pdf has no text layer: it is a scanned image; send the original PDF.',
      }),
      receipt({ key: 'uploads/acme/c.pdf', status: 'duplicate', items: 3 }),
    ]);
    expect(csv.split('\r\n')).toEqual([
      'file,status,case_number,items,outcome,reason,message,content_hash,recorded_at',
      `"uploads/acme/Smith, ""J"".pdf",failed,,,,pdf-no-text,"Smith, ""J"".pdf has no text layer: it is a scanned image; send the original PDF.",${upload.contentHash},2024-05-01T10:00:00.000Z`,
      `uploads/acme/c.pdf,duplicate,CM16-0000001,3,upheld,,,${upload.contentHash},2024-05-01T10:00:00.000Z`,
      `uploads/acme/b.pdf,parsed,CM16-0000001,2,upheld,,,${upload.contentHash},2024-05-01T11:00:00.000Z`,
      'TOTAL,"3 files: 1 parsed, 1 duplicate, 0 replaced, 0 conflict, 1 failed",,5,,,,,',
      '',
    ]);
  });

  it('still has its header and totals when empty', () => {
    expect(dailyCsv([])).toBe(
      'file,status,case_number,items,outcome,reason,message,content_hash,recorded_at\r\n' +
        'TOTAL,"0 files: 0 parsed, 0 duplicate, 0 replaced, 0 conflict, 0 failed",,0,,,,,\r\n',
    );
  });
});

describe('days', () => {
  it('rolls up the UTC day before the schedule fired', () => {
    expect(dayBefore('2024-05-02T00:15:00Z')).toBe('2024-05-01');
    expect(dayBefore('2024-03-01T00:15:00.000Z')).toBe('2024-02-29');
    expect(dayBefore('2025-01-01T23:59:59Z')).toBe('2024-12-31');
  });

  it("bounds a day's GSI1 sort keys, which start with the ISO time", () => {
    const { low, high } = organisationUploadsTimeRange('2024-05-01', '2024-05-01');
    const sk = (t: string) => `${t}#0123456789abcdef0123`;
    expect(sk('2024-05-01T00:00:00.000Z') >= low).toBe(true);
    expect(sk('2024-05-01T23:59:59.999Z') <= high).toBe(true);
    expect(sk('2024-04-30T23:59:59.999Z') < low).toBe(true);
    expect(sk('2024-05-02T00:00:00.000Z') > high).toBe(true);
  });
});

describe('imr receipts and upload helpers', () => {
  it('prints receipts as an aligned table', () => {
    const table = receiptTable([
      receipt({}),
      receipt({
        key: 'uploads/acme/x.pdf',
        status: 'failed',
        caseNumber: null,
        items: null,
        reason: 'pdf-no-text',
      }),
    ]);
    expect(table).toBe(
      'KEY                         STATUS  CASE          ITEMS  REASON\n' +
        'uploads/acme/letters/a.pdf  parsed  CM16-0000001  2\n' +
        'uploads/acme/x.pdf          failed                       pdf-no-text\n',
    );
  });

  it('lists the narrowest folder holding every awaited receipt', () => {
    const floor = 'receipts/acme/';
    expect(commonPrefix(['receipts/acme/a/x.json', 'receipts/acme/a/y.json'], floor)).toBe(
      'receipts/acme/a/',
    );
    expect(commonPrefix(['receipts/acme/x.json'], floor)).toBe('receipts/acme/x.json');
    expect(commonPrefix(['receipts/acme/x.json', 'receipts/acme/y.json'], floor)).toBe(floor);
    expect(commonPrefix([], floor)).toBe(floor);
    // Never half of a character outside the Basic Multilingual Plane.
    const p = commonPrefix(['receipts/acme/😀.json', 'receipts/acme/😃.json'], floor);
    expect(p).toBe(floor);
  });
});
