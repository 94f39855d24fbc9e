import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { LetterFormatError } from '../../shared/errors.ts';
import {
  caseToRelease,
  classifyEvent,
  classifyParse,
  classifyRead,
  classifyStore,
  failedUpload,
  isUploadKey,
  overtaken,
  storedUpload,
  type Failure,
  type ReadContent,
} from '../../shared/ingest/decide.ts';
import { MAX_LETTER_BYTES } from '../../shared/ingest/failures.ts';
import type { ObjectCreated } from '../../shared/ingest/s3-notification.ts';
import { parseLetterText } from '../../shared/parser/parse-letter.ts';
import { RecordTooLargeError } from '../../shared/store/record-codec.ts';
import type { UploadRecord } from '../../shared/store/uploads.ts';
import { renderLetter } from '../../synthetic/render-letter.ts';
import { SPEC } from '../fixtures/synthetic-letter.ts';

// The ingest's decisions on plain values: what each event, read, parse and write calls for.

const SEQ = '0000000000000000000000000000000B';
const OLDER = '0000000000000000000000000000000A';
const NEWER = '0000000000000000000000000000000C';
const NOW = '2024-05-06T07:08:09.000Z';

const object = (over: Partial<ObjectCreated> = {}): ObjectCreated => ({
  bucket: 'uploads-bucket',
  key: 'uploads/acme/2024/letter.txt',
  size: 1234,
  sequencer: SEQ,
  ...over,
});

const prior = (over: Partial<UploadRecord> = {}): UploadRecord => ({
  key: 'uploads/acme/2024/letter.txt',
  organisation: 'acme',
  status: 'parsed',
  reason: null,
  message: null,
  caseNumber: 'CM16-0000001',
  items: 2,
  outcome: 'Upheld',
  contentHash: 'a'.repeat(64),
  size: 1000,
  objectVersion: 'v1',
  sequencer: SEQ,
  uploadId: null,
  updatedAt: '2024-01-01T00:00:00.000Z',
  ...over,
});

const letter = parseLetterText(renderLetter(SPEC, { layout: 'full-letter' }), 'letter.txt');
const bytes = new TextEncoder().encode('the letter');
const BYTES_HASH = createHash('sha256').update('the letter').digest('hex');
const content: ReadContent = { version: 'v2', uploadId: 'u-1', size: 10, contentHash: BYTES_HASH };

/** A reference generator that counts how often it was asked. */
function references() {
  const asked: string[] = [];
  return {
    asked,
    next: () => {
      const reference = `ref-${asked.length + 1}`;
      asked.push(reference);
      return reference;
    },
  };
}

describe('isUploadKey', () => {
  it('takes keys under uploads/ and leaves out other keys and folder markers', () => {
    expect(isUploadKey('uploads/acme/letter.pdf')).toBe(true);
    // Under uploads/ but in no organisation's folder: an upload, recorded as a failure later.
    expect(isUploadKey('uploads/letter.pdf')).toBe(true);
    expect(isUploadKey('receipts/acme/letter.pdf.json')).toBe(false);
    expect(isUploadKey('letter.pdf')).toBe(false);
    expect(isUploadKey('uploads/acme/')).toBe(false);
    expect(isUploadKey('uploads/')).toBe(false);
  });
});

describe('classifyEvent', () => {
  it('reads an upload never seen before, under its organisation', () => {
    expect(classifyEvent(object(), null)).toEqual({ kind: 'read', organisation: 'acme' });
  });

  it('lets the recorded status stand for an event older than it', () => {
    const recorded = prior({ sequencer: NEWER });
    expect(classifyEvent(object(), recorded)).toEqual({ kind: 'stale', prior: recorded });
    // Even an event that would otherwise fail: the newer event's result stands.
    expect(classifyEvent(object({ key: 'uploads/x.pdf' }), recorded)).toEqual({
      kind: 'stale',
      prior: recorded,
    });
  });

  it('reads again an event as new as the recorded one, or newer', () => {
    expect(classifyEvent(object(), prior({ sequencer: SEQ }))).toEqual({
      kind: 'read',
      organisation: 'acme',
    });
    expect(classifyEvent(object(), prior({ sequencer: OLDER }))).toEqual({
      kind: 'read',
      organisation: 'acme',
    });
  });

  it('fails a key outside any organisation, naming the whole key', () => {
    expect(classifyEvent(object({ key: 'uploads/letter.pdf', size: 7 }), null)).toEqual({
      kind: 'fail',
      reason: 'outside-uploads',
      message:
        'uploads/letter.pdf is not under uploads/<organisation>/, so no organisation can be ' +
        "recorded for it. Upload it again under your organisation's folder.",
      read: { version: `key@${SEQ}`, uploadId: null, size: 7, contentHash: null },
    });
  });

  it('fails an object the event announces as too large, without reading it', () => {
    const size = MAX_LETTER_BYTES + 1;
    expect(classifyEvent(object({ size }), null)).toEqual({
      kind: 'fail',
      reason: 'too-large',
      message:
        'letter.txt is 20.0 MB; a letter may be at most 20 MB. Check that the file is one ' +
        'determination letter (not a scanned bundle) and send it again.',
      read: { version: `size:${size}@${SEQ}`, uploadId: null, size, contentHash: null },
    });
    expect(classifyEvent(object({ size: MAX_LETTER_BYTES }), null).kind).toBe('read');
    expect(classifyEvent(object({ size: null }), null).kind).toBe('read');
  });
});

describe('classifyRead', () => {
  const ok = { kind: 'ok', bytes, version: 'v2', uploadId: 'u-1' } as const;

  it('parses a new version, with its hash and size', () => {
    expect(classifyRead(object(), null, ok)).toEqual({
      kind: 'parse',
      bytes,
      content: { version: 'v2', uploadId: 'u-1', size: 10, contentHash: BYTES_HASH },
    });
    expect(classifyRead(object(), prior({ objectVersion: 'v1' }), ok).kind).toBe('parse');
  });

  it('lets the status stand for the version already recorded', () => {
    const recorded = prior({ objectVersion: 'v2' });
    expect(classifyRead(object(), recorded, ok)).toEqual({
      kind: 'redelivery',
      prior: recorded,
      by: 'version',
    });
    // The recorded version is recognised before its size is looked at.
    const large = { kind: 'too-large', size: 5e7, version: 'v2', uploadId: null } as const;
    expect(classifyRead(object(), recorded, large)).toEqual({
      kind: 'redelivery',
      prior: recorded,
      by: 'version',
    });
  });

  it('lets the status stand for the recorded event of an object deleted since', () => {
    const recorded = prior({ sequencer: SEQ });
    expect(classifyRead(object(), recorded, { kind: 'missing' })).toEqual({
      kind: 'redelivery',
      prior: recorded,
      by: 'sequencer',
    });
  });

  it('fails an object deleted before it was read', () => {
    const missing: Failure = {
      kind: 'fail',
      reason: 'object-missing',
      message:
        'letter.txt was deleted before it could be read. Upload it again if it should be included.',
      read: { version: `missing@${SEQ}`, uploadId: null, size: null, contentHash: null },
    };
    expect(classifyRead(object(), null, { kind: 'missing' })).toEqual(missing);
    expect(classifyRead(object(), prior({ sequencer: OLDER }), { kind: 'missing' })).toEqual(
      missing,
    );
  });

  it('fails an object read as too large, with the version read', () => {
    const size = 25 * 1024 * 1024;
    expect(
      classifyRead(object(), null, { kind: 'too-large', size, version: 'v3', uploadId: 'u-3' }),
    ).toEqual({
      kind: 'fail',
      reason: 'too-large',
      message:
        'letter.txt is 25.0 MB; a letter may be at most 20 MB. Check that the file is one ' +
        'determination letter (not a scanned bundle) and send it again.',
      read: { version: 'v3', uploadId: 'u-3', size, contentHash: null },
    });
  });
});

describe('classifyParse', () => {
  it('stores a letter under its case number', () => {
    const refs = references();
    expect(classifyParse(object(), content, { ok: true, value: letter }, refs.next)).toEqual({
      kind: 'store',
      id: 'CM16-0000042',
      determination: letter,
      content,
    });
    expect(refs.asked).toEqual([]);
  });

  it('stores a letter without a case number under its content hash', () => {
    const decision = classifyParse(
      object(),
      content,
      { ok: true, value: { ...letter, caseNumber: null } },
      references().next,
    );
    expect(decision.kind === 'store' && decision.id).toBe(`X-${BYTES_HASH.slice(0, 16)}`);
  });

  it.each([
    ['too-many-items', 'letter.txt has 201 items; at most 200 are read.'],
    ['no-issues', 'letter.txt lists no decisions.'],
    ['pdf-password', 'letter.txt is protected by a password.'],
  ] as const)('fails a letter the parser refuses (%s) with its reason and message', (reason, m) => {
    const refs = references();
    expect(
      classifyParse(
        object(),
        content,
        { ok: false, error: new LetterFormatError(reason, m) },
        refs.next,
      ),
    ).toEqual({ kind: 'fail', reason, message: m, read: content });
    expect(refs.asked).toEqual([]);
  });

  it('fails a letter the parser broke on, under a reference the log line shares', () => {
    const refs = references();
    const error = new TypeError('undefined is not a function');
    expect(classifyParse(object(), content, { ok: false, error }, refs.next)).toEqual({
      kind: 'fail',
      reason: 'parser-error',
      message:
        'letter.txt could not be read because of an error in IMR Atlas (reference ref-1). It ' +
        'has been recorded for the team to fix; you do not need to do anything.',
      read: content,
      report: { event: 'parser failed', fields: { reference: 'ref-1', error } },
    });
    expect(refs.asked).toEqual(['ref-1']);
  });
});

describe('classifyStore', () => {
  const stored = { id: 'CM16-0000042', content };

  it.each(['parsed', 'duplicate', 'replaced', 'conflict'] as const)(
    'records the outcome %s',
    (outcome) => {
      expect(
        classifyStore(object(), stored, { ok: true, value: outcome }, references().next),
      ).toEqual({ kind: 'stored', outcome });
    },
  );

  it('leaves the status to a newer upload that wrote first', () => {
    expect(
      classifyStore(object(), stored, { ok: true, value: 'superseded' }, references().next),
    ).toEqual({ kind: 'superseded' });
  });

  it('fails a record too large to store, saying why', () => {
    const refs = references();
    expect(
      classifyStore(
        object(),
        stored,
        { ok: false, error: new RecordTooLargeError('it has 900 kB of text') },
        refs.next,
      ),
    ).toEqual({
      kind: 'fail',
      reason: 'record-too-large',
      message:
        'letter.txt cannot be stored: it has 900 kB of text. Check that it is one determination ' +
        'letter, not several joined together or a file with garbled text, and send it again.',
      read: content,
    });
    expect(refs.asked).toEqual([]);
  });

  it('fails a write the store refuses as invalid, under a reference the log line shares', () => {
    const refs = references();
    const error = Object.assign(new Error('Item size has exceeded the maximum'), {
      name: 'ValidationException',
    });
    expect(classifyStore(object(), stored, { ok: false, error }, refs.next)).toEqual({
      kind: 'fail',
      reason: 'store-rejected',
      message:
        'letter.txt (case CM16-0000042) could not be stored: the database refused it as invalid ' +
        '(reference ref-1). It has been recorded for the team to look at; you do not need to do ' +
        'anything.',
      read: content,
      report: {
        event: 'store rejected the write',
        fields: { reference: 'ref-1', caseNumber: 'CM16-0000042', error },
      },
    });
  });

  it('throws back anything else for the queue to retry', () => {
    const refs = references();
    const down = Object.assign(new Error('connect ECONNREFUSED'), { name: 'TimeoutError' });
    expect(classifyStore(object(), stored, { ok: false, error: down }, refs.next)).toEqual({
      kind: 'retry',
      error: down,
    });
    expect(classifyStore(object(), stored, { ok: false, error: 'odd' }, refs.next)).toEqual({
      kind: 'retry',
      error: 'odd',
    });
    expect(refs.asked).toEqual([]);
  });
});

describe('the status records', () => {
  it('records a failure with what was read', () => {
    const failure: Failure = {
      kind: 'fail',
      reason: 'too-many-items',
      message: 'too many',
      read: content,
      report: { event: 'x', fields: {} },
    };
    expect(failedUpload(object(), NOW, failure)).toEqual({
      key: 'uploads/acme/2024/letter.txt',
      organisation: 'acme',
      sequencer: SEQ,
      updatedAt: NOW,
      status: 'failed',
      reason: 'too-many-items',
      message: 'too many',
      caseNumber: null,
      items: null,
      outcome: null,
      contentHash: BYTES_HASH,
      size: 10,
      objectVersion: 'v2',
      uploadId: 'u-1',
    });
    const outside = failedUpload(object({ key: 'uploads/x.pdf' }), NOW, {
      ...failure,
      read: { version: 'key@1', uploadId: null, size: 3, contentHash: null },
    });
    expect(outside).toMatchObject({ organisation: '(none)', contentHash: null, size: 3 });
  });

  it('records a stored letter, with the attributes in the order they are written', () => {
    const upload = storedUpload(
      object(),
      NOW,
      { id: 'CM16-0000042', determination: letter, content },
      'parsed',
      null,
    );
    expect(upload).toEqual({
      key: 'uploads/acme/2024/letter.txt',
      organisation: 'acme',
      sequencer: SEQ,
      updatedAt: NOW,
      status: 'parsed',
      reason: null,
      message: null,
      caseNumber: 'CM16-0000042',
      items: letter.issues.length,
      outcome: letter.outcome,
      version: 'v2',
      uploadId: 'u-1',
      size: 10,
      contentHash: BYTES_HASH,
      objectVersion: 'v2',
    });
    expect(Object.keys(upload)).toEqual([
      'key',
      'organisation',
      'sequencer',
      'updatedAt',
      'status',
      'reason',
      'message',
      'caseNumber',
      'items',
      'outcome',
      'version',
      'uploadId',
      'size',
      'contentHash',
      'objectVersion',
    ]);
    expect(letter.issues.length).toBe(3);
  });

  it('tells a conflicting upload how its copy differs', () => {
    const stored = { id: 'CM16-0000042', determination: letter, content };
    const withDifferences = storedUpload(object(), NOW, stored, 'conflict', ['the decision date']);
    expect(withDifferences.status).toBe('conflict');
    expect(withDifferences.message).toBe(
      'letter.txt is case CM16-0000042, which another organisation published first, and it ' +
        'differs from the published record (the decision date). It changes nothing public and ' +
        'is kept for IMR Atlas to review; if your copy is the correct one, no action is needed: ' +
        'an operator settles the difference.',
    );
    expect(storedUpload(object(), NOW, stored, 'conflict', null).message).toContain(
      '(its parsed fields differ)',
    );
    expect(storedUpload(object(), NOW, stored, 'duplicate', ['ignored']).message).toBeNull();
  });
});

describe('caseToRelease', () => {
  const recorded = prior({ caseNumber: 'CM16-0000001', contentHash: 'a'.repeat(64) });

  it('takes back the case a key produced once it holds other content', () => {
    expect(caseToRelease(recorded, 'b'.repeat(64), 'CM16-0000002')).toEqual({
      caseId: 'CM16-0000001',
      organisation: 'acme',
      contentHash: 'a'.repeat(64),
    });
    // Now a failure: no letter at the key any more.
    expect(caseToRelease(recorded, null, null)).toEqual({
      caseId: 'CM16-0000001',
      organisation: 'acme',
      contentHash: 'a'.repeat(64),
    });
  });

  it('keeps the case of the same content or the same case, and releases nothing unrecorded', () => {
    expect(caseToRelease(recorded, 'a'.repeat(64), null)).toBeNull();
    expect(caseToRelease(recorded, 'b'.repeat(64), 'CM16-0000001')).toBeNull();
    expect(caseToRelease(null, 'b'.repeat(64), 'CM16-0000002')).toBeNull();
    expect(caseToRelease(prior({ caseNumber: null }), null, null)).toBeNull();
    expect(caseToRelease(prior({ contentHash: null }), null, null)).toBeNull();
  });
});

describe('overtaken', () => {
  it('takes back a case only when a newer event with another case was recorded', () => {
    expect(
      overtaken(prior({ sequencer: NEWER, caseNumber: 'CM16-0000002' }), object(), 'CM16-0000042'),
    ).toBe(true);
    expect(
      overtaken(prior({ sequencer: NEWER, caseNumber: 'CM16-0000042' }), object(), 'CM16-0000042'),
    ).toBe(false);
    expect(overtaken(prior({ sequencer: NEWER, caseNumber: null }), object(), 'CM16-0000042')).toBe(
      true,
    );
    expect(
      overtaken(prior({ sequencer: SEQ, caseNumber: 'CM16-0000002' }), object(), 'CM16-0000042'),
    ).toBe(false);
  });
});
