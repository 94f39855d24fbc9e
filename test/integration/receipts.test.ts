import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { receiptsCommand } from '../../cli/receipts.ts';
import { uploadCommand } from '../../cli/upload.ts';
import { createIngestHandler } from '../../functions/s3-ingest-letter.ts';
import { toSqsEvent } from '../../local/ingest-queue.ts';
import { objectCreatedEvent } from '../../local/s3-local.ts';
import { STACK_FILE } from '../../local/stack-file.ts';
import { startLocalStack, type LocalStack } from '../../local/stack.ts';
import { s3LetterObjects, type LetterObjects } from '../../shared/ingest/letter-objects.ts';
import { createLogger } from '../../shared/logger.ts';
import { readReceipt } from '../../shared/receipts/bucket.ts';
import { rollupDay } from '../../shared/receipts/daily.ts';
import { receiptKey, receiptSchema, type Receipt } from '../../shared/receipts/receipt.ts';
import { getUpload } from '../../shared/store/uploads.ts';
import { renderLetter, type LetterSpec } from '../../synthetic/render-letter.ts';
import { SPEC } from '../fixtures/synthetic-letter.ts';
import { minimalPdf, passwordPdf } from '../support/pdf.ts';
import { capture } from '../support/capture.ts';
import { parseCsv } from '../support/csv.ts';
import { receiptOf, snapshot, uploadAndWait } from '../support/store.ts';

// Receipts against the real local stack: the ingest writes them into the local S3, and they are
// read back the way an organisation would, through the bucket. The stack keeps a data dir so
// that `imr receipts` and `imr upload` find it through its stack.json, as they do `npm start`'s.

let dataDir: string;
let stack: LocalStack;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'imr-receipts-'));
  stack = await startLocalStack({ dataDir, logger: createLogger({ level: 'silent' }) });
});

afterAll(async () => {
  await stack?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

function letter(caseNumber: string, overrides: Partial<LetterSpec> = {}): string {
  return renderLetter({ ...SPEC, caseNumber, ...overrides }, { layout: 'full-letter' });
}

const flipped = SPEC.items.map((i) => ({ ...i, decision: 'Overturned' as const }));

function sha256(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The receipt of an upload, which must exist. */
async function receipt(uploadKey: string): Promise<Receipt> {
  const r = await receiptOf(stack, uploadKey);
  if (r === null) throw new Error(`no receipt for ${uploadKey}`);
  return r;
}

/** The ingest handler over the local store with the given objects, for events sent by hand. */
function handlerWith(objects: LetterObjects) {
  return createIngestHandler({
    table: stack.table,
    objects,
    logger: createLogger({ level: 'silent' }),
  });
}

async function deliver(
  handler: ReturnType<typeof handlerWith>,
  key: string,
  sequencer: string,
): Promise<string[]> {
  const body = JSON.stringify(
    objectCreatedEvent(stack.bucket, key, { size: 1, eTag: 'e', sequencer }),
  );
  const event = toSqsEvent([{ id: `m-${sequencer}`, body: body, receives: 1 }], 'test');
  const out = await handler(event);
  return out.batchItemFailures.map((f) => f.itemIdentifier);
}

describe('a receipt for every upload', () => {
  it('says parsed, with the case, its items, outcome, content hash and time', async () => {
    const text = letter('CM16-0000501');
    const before = new Date().toISOString();
    const upload = await uploadAndWait(stack, 'uploads/acme/one.txt', text);
    const r = await receipt('uploads/acme/one.txt');
    expect(r).toEqual({
      receiptVersion: 1,
      key: 'uploads/acme/one.txt',
      organisation: 'acme',
      status: 'parsed',
      caseNumber: 'CM16-0000501',
      items: 3,
      outcome: 'partially overturned',
      contentHash: sha256(text),
      size: Buffer.byteLength(text),
      uploadId: upload.uploadId,
      time: upload.updatedAt,
      reason: null,
      message: null,
    });
    expect(r.time >= before).toBe(true);
    const head = await stack.s3.send(
      new HeadObjectCommand({ Bucket: stack.bucket, Key: 'receipts/acme/one.txt.json' }),
    );
    expect(head.ContentType).toBe('application/json');
  });

  it('sends only uploads to the ingest queue, never the receipts written beside them', async () => {
    const before = stack.ingest.counts.received;
    await uploadAndWait(stack, 'uploads/acme/only-one-event.txt', letter('CM16-0000507'));
    await stack.ingest.idle();
    expect(stack.ingest.counts.received - before).toBe(1);
    expect(await receiptOf(stack, 'uploads/acme/only-one-event.txt')).not.toBeNull();
  });

  it('says duplicate for the same bytes under a new key, and for a re-upload', async () => {
    const text = letter('CM16-0000502');
    await uploadAndWait(stack, 'uploads/acme/first.txt', text);
    await uploadAndWait(stack, 'uploads/acme/copy of first.txt', text);
    expect(await receipt('uploads/acme/copy of first.txt')).toMatchObject({
      status: 'duplicate',
      caseNumber: 'CM16-0000502',
      items: 3,
      contentHash: sha256(text),
      reason: null,
    });
    await uploadAndWait(stack, 'uploads/acme/first.txt', text);
    expect((await receipt('uploads/acme/first.txt')).status).toBe('duplicate');
  });

  it('says replaced for changed content under the same key', async () => {
    const key = 'uploads/acme/changing.txt';
    await uploadAndWait(stack, key, letter('CM16-0000503'));
    const changed = letter('CM16-0000503', { items: flipped });
    await uploadAndWait(stack, key, changed);
    expect(await receipt(key)).toMatchObject({
      status: 'replaced',
      caseNumber: 'CM16-0000503',
      outcome: 'overturned',
      contentHash: sha256(changed),
    });
  });

  const failures: [string, Uint8Array | string, string, RegExp][] = [
    ['scan.pdf', minimalPdf(''), 'pdf-no-text', /no text layer: it is a scanned image/],
    ['empty.txt', '', 'empty', /is empty \(0 bytes\): send the letter again/],
    ['locked.pdf', passwordPdf('secret'), 'pdf-password', /without a password/],
    [
      'notes.txt',
      'Shopping list: eggs, milk',
      'unknown-layout',
      /not a recognised IMR final determination letter/,
    ],
  ];
  for (const [name, body, reason, message] of failures) {
    it(`says failed for ${name}, with its reason (${reason}) in words`, async () => {
      const key = `uploads/acme/bad/${name}`;
      await uploadAndWait(stack, key, body);
      const r = await receipt(key);
      expect(r).toMatchObject({ status: 'failed', reason, caseNumber: null, items: null });
      expect(r.message).toMatch(message);
      // The message names the file as the sender knows it.
      expect(r.message).toContain(name);
    });
  }

  it('says failed for a file over 20 MB, from its event, without reading it', async () => {
    const key = 'uploads/acme/bad/huge.pdf';
    await uploadAndWait(stack, key, new Uint8Array(21 * 1024 * 1024));
    expect(await receipt(key)).toMatchObject({
      status: 'failed',
      reason: 'too-large',
      size: 21 * 1024 * 1024,
      contentHash: null,
    });
  });

  it('mirrors keys with spaces, non-ASCII characters and deep folders', async () => {
    const key = 'uploads/acme/2024/März/Brief Nr. 1 (Kopie) é+ü.txt';
    await uploadAndWait(stack, key, letter('CM16-0000504'));
    expect(receiptKey(key)).toBe('receipts/acme/2024/März/Brief Nr. 1 (Kopie) é+ü.txt.json');
    expect(await receipt(key)).toMatchObject({ key, status: 'parsed' });
  });

  it('gives a 1,024-byte upload key a receipt whose key fits S3', async () => {
    const key = `uploads/acme/${`${'d'.repeat(240)}/`.repeat(4)}${'k'.repeat(43)}.txt`;
    expect(Buffer.byteLength(key)).toBe(1024);
    await uploadAndWait(stack, key, letter('CM16-0000505'));
    const at = receiptKey(key)!;
    expect(Buffer.byteLength(at)).toBeLessThanOrEqual(1024);
    expect(await receipt(key)).toMatchObject({ key, status: 'parsed' });
  });

  it('writes no receipt for a file outside any organisation folder', async () => {
    await uploadAndWait(stack, 'uploads/stray.txt', letter('CM16-0000506'));
    expect(receiptKey('uploads/stray.txt')).toBeNull();
    const listed = capture();
    expect(await receiptsCommand(['--data-dir', dataDir], listed.io)).toBe(0);
    expect(listed.out()).not.toMatch(/stray/);
  });

  it("holds nothing but the organisation's own upload", async () => {
    // Another organisation sends the same letter: its receipt says duplicate and no more: not
    // who sent it first, nor under which key.
    const text = letter('CM16-0000507');
    await uploadAndWait(stack, 'uploads/first-org/private-name-of-first.txt', text);
    await uploadAndWait(stack, 'uploads/second-org/theirs.txt', text);
    const raw = await stack.s3.send(
      new GetObjectCommand({ Bucket: stack.bucket, Key: 'receipts/second-org/theirs.txt.json' }),
    );
    const json = await raw.Body!.transformToString();
    expect(json).not.toMatch(/first-org|private-name-of-first/);
    const fields = Object.keys(receiptSchema.parse(JSON.parse(json)));
    expect(Object.keys(JSON.parse(json) as object)).toEqual(fields);
    expect(fields).not.toContain('sequencer');
    expect(fields).not.toContain('objectVersion');
  });

  it('does not let a late event leave its older status in the receipt', async () => {
    // An older event (case 508) records its status, and while it writes its receipt a newer
    // upload of the key (case 509) is ingested and receipted. The older writer's receipt lands
    // last, then it sees the newer status and puts that back.
    const key = 'uploads/acme/raced.txt';
    const real = s3LetterObjects(stack.s3);
    let stalled = false;
    const late = handlerWith({
      read: async () => ({
        kind: 'ok',
        bytes: new TextEncoder().encode(letter('CM16-0000508')),
        version: 'late-read',
        uploadId: null,
      }),
      tag: async () => undefined,
      put: async (bucket, at, body, type) => {
        if (!stalled) {
          stalled = true;
          await uploadAndWait(stack, key, letter('CM16-0000509'));
          expect((await receipt(key)).caseNumber).toBe('CM16-0000509');
        }
        await real.put(bucket, at, body, type);
      },
    });
    expect(await deliver(late, key, '0001')).toEqual([]);
    expect(stalled).toBe(true);
    expect((await getUpload(stack.table, key))?.caseNumber).toBe('CM16-0000509');
    expect(await receipt(key)).toMatchObject({ caseNumber: 'CM16-0000509', status: 'parsed' });
  });

  it('writes the receipt when the event is retried after the receipt write failed', async () => {
    const key = 'uploads/acme/retried.txt';
    let puts = 0;
    const flaky = handlerWith({
      read: async () => ({
        kind: 'ok',
        bytes: new TextEncoder().encode(letter('CM16-0000510')),
        version: 'retried-v1',
        uploadId: 'retried-upload',
      }),
      tag: async () => undefined,
      put: async (bucket, at, body, type) => {
        if (puts++ === 0) throw new Error('S3 unavailable');
        await s3LetterObjects(stack.s3).put(bucket, at, body, type);
      },
    });
    // The status is recorded, the receipt is not: the message goes back to the queue ...
    expect(await deliver(flaky, key, '0002')).toEqual(['m-0002']);
    expect((await getUpload(stack.table, key))?.status).toBe('parsed');
    expect(await receiptOf(stack, key)).toBeNull();
    // ... and its retry, a re-delivery of a recorded event, writes the receipt.
    expect(await deliver(flaky, key, '0002')).toEqual([]);
    expect(await receipt(key)).toMatchObject({ status: 'parsed', uploadId: 'retried-upload' });
  });

  it('writes the receipt of an upload recorded before receipts existed when the stack starts', async () => {
    const key = 'uploads/acme/older.txt';
    await uploadAndWait(stack, key, letter('CM16-0000511'));
    await stack.s3.send(new DeleteObjectCommand({ Bucket: stack.bucket, Key: receiptKey(key)! }));
    await stack.stop();
    stack = await startLocalStack({ dataDir, logger: createLogger({ level: 'silent' }) });
    await stack.ingest.idle();
    expect(await receipt(key)).toMatchObject({ status: 'parsed', caseNumber: 'CM16-0000511' });
  });

  it('does not ingest receipts: nothing under receipts/ gets an upload record', async () => {
    await stack.ingest.idle();
    const snap = await snapshot(stack);
    expect(snap.uploads.filter((u) => !u.key.startsWith('uploads/'))).toEqual([]);
    expect(stack.ingest.counts.deadLettered).toBe(0);
    expect(await getUpload(stack.table, 'receipts/acme/one.txt.json')).toBeNull();
    // Every receipt in the bucket answers an upload record of its organisation.
    const listed = capture();
    expect(await receiptsCommand(['--data-dir', dataDir], listed.io)).toBe(0);
    for (const u of snap.uploads.filter((x) => x.organisation !== '(none)')) {
      expect(listed.out()).toContain(u.key);
    }
  });
});

describe('the daily roll-up', () => {
  it('has one row per file and a totals row, quoting commas and quotes', async () => {
    const org = 'rollup-org';
    await uploadAndWait(stack, `uploads/${org}/a.txt`, letter('CM16-0000601'));
    await uploadAndWait(stack, `uploads/${org}/a copy.txt`, letter('CM16-0000601'));
    await uploadAndWait(stack, `uploads/${org}/Smith, "draft" v2.txt`, 'Dear colleague, hello');
    await uploadAndWait(stack, `uploads/${org}/b.txt`, letter('CM16-0000602'));
    await uploadAndWait(stack, `uploads/${org}/b.txt`, letter('CM16-0000602', { items: flipped }));
    // Another organisation's upload the same day is not in this one's roll-up.
    await uploadAndWait(stack, 'uploads/not-rollup-org/c.txt', letter('CM16-0000603'));

    const a = await receipt(`uploads/${org}/a.txt`);
    const day = a.time.slice(0, 10);
    // Run through the command, as the schedule would for one organisation.
    const c = capture();
    expect(await receiptsCommand(['rollup', '--date', day, '--data-dir', dataDir], c.io)).toBe(0);
    expect(c.out()).toContain(`${org}: receipts/${org}/daily/${day}.csv`);
    expect(c.out()).toMatch(/acme: receipts\/acme\/daily\/.*\.csv \(\d+ files, \d+ failed\)/);

    const raw = await stack.s3.send(
      new GetObjectCommand({ Bucket: stack.bucket, Key: `receipts/${org}/daily/${day}.csv` }),
    );
    expect(raw.ContentType).toMatch(/^text\/csv/);
    const text = await raw.Body!.transformToString();
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text.replace(/\r\n/g, '')).not.toMatch(/\n/);
    const [header, ...rest] = parseCsv(text);
    expect(header).toEqual([
      'file',
      'status',
      'case_number',
      'items',
      'outcome',
      'reason',
      'message',
      'content_hash',
      'recorded_at',
    ]);
    const rows = rest.slice(0, -1);
    const totals = rest.at(-1)!;
    // A run just before midnight UTC could put some uploads on the next day: expect those of `day`.
    const expected = new Map<string, Receipt>();
    for (const name of ['a.txt', 'a copy.txt', 'Smith, "draft" v2.txt', 'b.txt']) {
      const r = await receipt(`uploads/${org}/${name}`);
      if (r.time.startsWith(day)) expected.set(r.key, r);
    }
    expect(rows.map((r) => r[0]).sort()).toEqual([...expected.keys()].sort());
    for (const row of rows) {
      const r = expected.get(row[0]!)!;
      expect(row).toEqual([
        r.key,
        r.status,
        r.caseNumber ?? '',
        r.items === null ? '' : String(r.items),
        r.outcome ?? '',
        r.reason ?? '',
        r.message ?? '',
        r.contentHash ?? '',
        r.time,
      ]);
    }
    const bad = rows.find((r) => r[0] === `uploads/${org}/Smith, "draft" v2.txt`);
    if (bad !== undefined) {
      expect(bad[1]).toBe('failed');
      expect(bad[6]).toMatch(/^Smith, "draft" v2\.txt is not a recognised IMR/);
    }
    const all = [...expected.values()];
    const n = (s: string) => all.filter((r) => r.status === s).length;
    expect(totals).toEqual([
      'TOTAL',
      `${all.length} files: ${n('parsed')} parsed, ${n('duplicate')} duplicate, ` +
        `${n('replaced')} replaced, ${n('conflict')} conflict, ${n('failed')} failed`,
      '',
      String(all.reduce((sum, r) => sum + (r.items ?? 0), 0)),
      '',
      '',
      '',
      '',
      '',
    ]);
    if (expected.size === 4) {
      expect(totals[1]).toBe('4 files: 1 parsed, 1 duplicate, 1 replaced, 0 conflict, 1 failed');
    }
    expect(text).not.toMatch(/not-rollup-org|CM16-0000603/);
  });

  it('writes nothing for a day with no upload, and the CSV is not listed as a receipt', async () => {
    expect(
      await rollupDay(
        { table: stack.table, objects: s3LetterObjects(stack.s3), bucket: stack.bucket },
        'rollup-org',
        '2001-01-01',
      ),
    ).toMatchObject({ key: null, files: 0 });
    expect(
      await readReceipt(stack.s3, stack.bucket, 'receipts/rollup-org/daily/2001-01-01.csv'),
    ).toEqual({ kind: 'missing' });
    const c = capture();
    expect(await receiptsCommand(['--org', 'rollup-org', '--data-dir', dataDir], c.io)).toBe(0);
    expect(c.out()).not.toMatch(/daily/);
  });
});

describe('the scheduled roll-up function', () => {
  it('rolls up the day before its event, for every organisation', async () => {
    const a = await receipt('uploads/rollup-org/a.txt');
    const day = a.time.slice(0, 10);
    const next = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString();
    const saved = { ...process.env };
    Object.assign(process.env, {
      TABLE_NAME: stack.tableName,
      BUCKET_NAME: stack.bucket,
      IMR_DYNAMODB_ENDPOINT: stack.dynamodbEndpoint,
      IMR_S3_ENDPOINT: stack.s3Endpoint,
      LOG_LEVEL: 'silent',
    });
    const { handler } = await import('../../functions/schedule-rollup-receipts.ts');
    // Not a scheduled event: rejected before anything is set up.
    await expect(handler({ source: 'aws.events' })).rejects.toThrow(/time/);
    await stack.s3.send(
      new DeleteObjectCommand({ Bucket: stack.bucket, Key: `receipts/acme/daily/${day}.csv` }),
    );
    const rollups = await handler({ 'detail-type': 'Scheduled Event', time: next });
    // The clients are set up now; the environment can go back as it was.
    process.env = saved;
    expect(rollups.map((r) => r.organisation)).toEqual(
      expect.arrayContaining(['acme', 'rollup-org', 'second-org']),
    );
    expect(rollups.every((r) => r.day === day)).toBe(true);
    expect(rollups.find((r) => r.organisation === 'acme')?.key).toBe(
      `receipts/acme/daily/${day}.csv`,
    );
    const head = await stack.s3.send(
      new HeadObjectCommand({ Bucket: stack.bucket, Key: `receipts/acme/daily/${day}.csv` }),
    );
    expect(head.ContentType).toMatch(/^text\/csv/);
  });
});

describe('imr receipts', () => {
  it("lists an organisation's receipts as a table, with why the failed ones failed", async () => {
    const c = capture();
    expect(await receiptsCommand(['--org', 'acme', '--data-dir', dataDir], c.io)).toBe(0);
    const out = c.out();
    expect(out).toMatch(/^KEY +STATUS +CASE +ITEMS +REASON\n/);
    expect(out).toMatch(/uploads\/acme\/one\.txt +parsed +CM16-0000501 +3\n/);
    expect(out).toMatch(/uploads\/acme\/copy of first\.txt +duplicate +CM16-0000502 +3\n/);
    expect(out).toMatch(/uploads\/acme\/changing\.txt +replaced +CM16-0000503 +3\n/);
    expect(out).toMatch(/uploads\/acme\/bad\/scan\.pdf +failed +pdf-no-text\n/);
    expect(out).toMatch(/Why they failed:\n/);
    expect(out).toMatch(/ {2}uploads\/acme\/bad\/scan\.pdf: scan\.pdf has no text layer/);
    expect(out).not.toMatch(/rollup-org|second-org/);
  });

  it('filters failed files, and by the time they were recorded', async () => {
    const failed = capture();
    expect(
      await receiptsCommand(['--org', 'acme', '--failed', '--data-dir', dataDir], failed.io),
    ).toBe(0);
    const rows = failed
      .out()
      .split('\n')
      .filter((l) => /^uploads\/\S+ +\w+ /.test(l));
    expect(rows.length).toBeGreaterThanOrEqual(5);
    for (const row of rows) expect(row).toMatch(/ failed /);
    expect(failed.out()).toMatch(/huge\.pdf: huge\.pdf is 21\.0 MB/);

    const future = capture();
    expect(
      await receiptsCommand(
        ['--org', 'acme', '--since', '2999-01-01', '--data-dir', dataDir],
        future.io,
      ),
    ).toBe(0);
    expect(future.out()).toMatch(/^No receipts under receipts\/acme\/ .* since 2999-01-01/);

    const today = new Date().toISOString().slice(0, 10);
    const recent = capture();
    expect(
      await receiptsCommand(['--org', 'acme', '--since', today, '--data-dir', dataDir], recent.io),
    ).toBe(0);
    expect(recent.out()).toContain('uploads/acme/raced.txt');

    // Every organisation, when none is named.
    const everyone = capture();
    expect(await receiptsCommand(['--data-dir', dataDir], everyone.io)).toBe(0);
    expect(everyone.out()).toMatch(/uploads\/acme\/one\.txt/);
    expect(everyone.out()).toMatch(/uploads\/rollup-org\/a\.txt/);
  });

  it('leaves out, and names, objects under receipts/ that are not receipts', async () => {
    await stack.s3.send(
      new PutObjectCommand({
        Bucket: stack.bucket,
        Key: 'receipts/acme/zz-foreign.json',
        Body: '{}',
      }),
    );
    await stack.ingest.idle();
    expect(await getUpload(stack.table, 'receipts/acme/zz-foreign.json')).toBeNull();
    const c = capture();
    expect(await receiptsCommand(['--org', 'acme', '--data-dir', dataDir], c.io)).toBe(0);
    expect(c.err()).toMatch(/1 object\(s\) under receipts\/acme\/ are not receipts .*zz-foreign/);
    expect(c.out()).not.toMatch(/zz-foreign/);
  });

  it('rejects bad usage with exit status 2', async () => {
    const cases: [string[], RegExp][] = [
      [['--org', 'a/b'], /--org "a\/b"/],
      [['--since', 'yesterday'], /--since "yesterday"/],
      [['rollup', '--date', '2024-02-30'], /--date "2024-02-30"/],
      [['rollup', '--failed'], /for listing, not for rollup/],
      [['rollup', '--bucket', 'b'], /--table/],
      [['--date', '2024-01-01'], /--date is for/],
      [['frobnicate'], /unknown argument "frobnicate"/],
      [['--nope'], /Unknown option/],
    ];
    for (const [args, message] of cases) {
      const c = capture();
      expect(await receiptsCommand([...args, '--data-dir', dataDir], c.io)).toBe(2);
      expect(c.err()).toMatch(message);
    }
    const none = capture();
    expect(await receiptsCommand(['--data-dir', join(dataDir, 'nothing')], none.io)).toBe(2);
    expect(none.err()).toMatch(/no local stack is running/);
  });
});

describe('imr upload reads the receipts', () => {
  it('summarises from the receipts alone, without reaching the table', async () => {
    // A stack.json whose table endpoint answers nothing: the command must not need it.
    const noTable = await mkdtemp(join(tmpdir(), 'imr-no-table-'));
    await writeFile(
      join(noTable, STACK_FILE),
      JSON.stringify({
        pid: process.pid,
        dynamodbEndpoint: 'http://127.0.0.1:9',
        s3Endpoint: stack.s3Endpoint,
        tableName: stack.tableName,
        bucket: stack.bucket,
      }),
    );
    const letters = await mkdtemp(join(tmpdir(), 'imr-receipt-letters-'));
    await mkdir(join(letters, 'sub'));
    await writeFile(join(letters, 'one.txt'), letter('CM16-0000701'));
    await writeFile(join(letters, 'sub', 'two.txt'), letter('CM16-0000702'));
    await writeFile(join(letters, 'note, "private".txt'), 'Dear colleague, see you Tuesday.\n');
    try {
      const c = capture();
      const args = [letters, '--org', 'uploader', '--data-dir', noTable];
      expect(await uploadCommand(args, c.io)).toBe(1);
      expect(c.out()).toMatch(/Uploaded 3 files to the local stack/);
      expect(c.out()).toMatch(/parsed +2\n/);
      expect(c.out()).toMatch(/failed +1\n/);
      expect(c.out()).toMatch(
        /uploads\/uploader\/note, "private"\.txt: note, "private"\.txt is not a recognised IMR/,
      );
      expect((await receipt('uploads/uploader/sub/two.txt')).status).toBe('parsed');

      // Again: the command waits for the receipts of this upload, not the ones already there.
      const again = capture();
      expect(await uploadCommand(args, again.io)).toBe(1);
      expect(again.out()).toMatch(/duplicates +2\n/);
      expect(again.out()).toMatch(/parsed +0\n/);

      // A file over 20 MB is recorded from its event alone; its receipt is still found.
      await writeFile(join(letters, 'huge.pdf'), new Uint8Array(21 * 1024 * 1024));
      const huge = capture();
      expect(
        await uploadCommand(
          [join(letters, 'huge.pdf'), '--org', 'uploader', '--data-dir', noTable],
          huge.io,
        ),
      ).toBe(1);
      expect(huge.out()).toMatch(/huge\.pdf: huge\.pdf is 21\.0 MB/);
    } finally {
      await rm(noTable, { recursive: true, force: true });
      await rm(letters, { recursive: true, force: true });
    }
  });
});
