import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseLetterText } from '../../shared/parser/parse-letter.ts';
import { dailyCsv } from '../../shared/receipts/daily.ts';
import { receiptFor, receiptJson, receiptSchema } from '../../shared/receipts/receipt.ts';
import { decode } from '../../shared/store/record-codec.ts';
import { uploadRecordSchema, type UploadRecord } from '../../shared/store/uploads.ts';
import { renderLetter } from '../../synthetic/render-letter.ts';
import { SPEC } from '../fixtures/synthetic-letter.ts';

// Writes are held to this version's vocabularies (flags, failure reasons); reads of what is
// stored are not: a record or status written by another version (a newer one, before a
// rollback) must stay readable, or one such item fails the API, the export, the ingest's claim
// and the daily roll-up.

const stored = (record: unknown): Uint8Array => gzipSync(JSON.stringify(record));

describe('a stored record with a flag this version does not know', () => {
  const record = parseLetterText(renderLetter(SPEC, { layout: 'full-letter' }), 'letter.txt');

  it('is read, without the unknown flags', () => {
    const withFuture = {
      ...record,
      flags: [...record.flags, 'a-flag-from-a-newer-version'],
      issues: record.issues.map((i) => ({ ...i, flags: [...i.flags, 'a-newer-item-flag'] })),
    };
    expect(decode(stored(withFuture))).toEqual(record);
  });

  it('still fails on a field that is wrong, not merely new', () => {
    expect(() => decode(stored({ ...record, outcome: 'maybe' }))).toThrow();
  });
});

describe('a stored upload status with a failure reason this version does not know', () => {
  const upload = {
    key: 'uploads/acme/letters/a.pdf',
    organisation: 'acme',
    status: 'failed',
    reason: 'a-reason-from-a-newer-version',
    message: 'Something a newer version explains.',
    caseNumber: null,
    items: null,
    outcome: null,
    contentHash: 'ab'.repeat(32),
    size: 1234,
    objectVersion: 'v1',
    sequencer: '00A1'.padEnd(32, '0'),
    uploadId: null,
    updatedAt: '2024-05-01T10:00:00.000Z',
  };

  it('is read as it was stored', () => {
    expect(uploadRecordSchema.parse(upload).reason).toBe('a-reason-from-a-newer-version');
  });

  it('gets its receipt and its roll-up row', () => {
    const read: UploadRecord = uploadRecordSchema.parse(upload);
    const receipt = receiptFor(read);
    expect(receipt.reason).toBe('a-reason-from-a-newer-version');
    expect(receiptSchema.parse(JSON.parse(receiptJson(receipt)))).toEqual(receipt);
    expect(dailyCsv([receipt])).toContain('a-reason-from-a-newer-version');
  });
});
