import { describe, expect, it } from 'vitest';
import { determinationSchema } from '../../shared/record/determination.ts';
import { FAILURE_REASONS, LETTER_FORMAT_REASONS } from '../../shared/errors.ts';
import { ITEM_FLAGS, LETTER_FLAGS } from '../../shared/record/flags.ts';
import { parseLetterText } from '../../shared/parser/parse-letter.ts';
import { receiptSchema } from '../../shared/receipts/receipt.ts';
import { uploadRecordSchema, uploadWriteSchema } from '../../shared/store/uploads.ts';
import { generateSpec, renderSyntheticText } from '../../synthetic/generate.ts';

// The record's flags and the failure reasons are a public contract: the schema accepts exactly
// the listed values, so a new flag or reason cannot be written unlisted. Reads are lenient
// (test/unit/stored-vocabulary.test.ts): a record's unknown flag is left out, a reason kept.

const record = (() => {
  const spec = generateSpec(3, 7);
  return parseLetterText(renderSyntheticText(spec), `${spec.caseNumber}.txt`);
})();

describe('flags and failure reasons are enums of the schema', () => {
  it('lists each value once', () => {
    for (const list of [LETTER_FLAGS, ITEM_FLAGS, FAILURE_REASONS]) {
      expect(new Set(list).size).toBe(list.length);
    }
    expect(FAILURE_REASONS).toEqual(expect.arrayContaining([...LETTER_FORMAT_REASONS]));
  });

  it('accepts every listed flag and refuses any other', () => {
    expect(record.flags).toContain('synthetic');
    const issue = record.issues[0]!;
    expect(() =>
      determinationSchema.parse({
        ...record,
        flags: [...LETTER_FLAGS],
        issues: [{ ...issue, flags: [...ITEM_FLAGS] }],
      }),
    ).not.toThrow();
    expect(() => determinationSchema.parse({ ...record, flags: ['made-up'] })).toThrow();
    expect(() =>
      determinationSchema.parse({ ...record, issues: [{ ...issue, flags: ['made-up'] }] }),
    ).toThrow();
    // An item flag is not a letter flag, nor the reverse.
    expect(() => determinationSchema.parse({ ...record, flags: ['category-other'] })).toThrow();
    expect(() =>
      determinationSchema.parse({ ...record, issues: [{ ...issue, flags: ['synthetic'] }] }),
    ).toThrow();
  });

  it('accepts every failure reason in receipts and upload statuses, and writes no other', () => {
    const receipt = {
      receiptVersion: 1,
      key: 'uploads/acme/a.pdf',
      organisation: 'acme',
      status: 'failed',
      caseNumber: null,
      items: null,
      outcome: null,
      contentHash: null,
      size: 10,
      uploadId: null,
      time: '2026-12-03T10:00:00.000Z',
      message: 'm',
    };
    for (const reason of FAILURE_REASONS) {
      expect(receiptSchema.parse({ ...receipt, reason }).reason).toBe(reason);
    }
    // Written statuses are held to the list (putUpload checks); what is stored is read back
    // whatever its reason, so a status from another version stays readable (stored-vocabulary).
    expect(uploadWriteSchema.shape.reason.safeParse('made-up').success).toBe(false);
    expect(uploadWriteSchema.shape.reason.safeParse(null).success).toBe(true);
    expect(uploadRecordSchema.shape.reason.safeParse('made-up').success).toBe(true);
  });
});
