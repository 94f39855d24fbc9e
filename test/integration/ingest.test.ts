import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DeleteObjectCommand, GetObjectTaggingCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { S3Event } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIngestHandler } from '../../functions/s3-ingest-letter.ts';
import { objectCreatedEvent } from '../../local/s3-local.ts';
import { startLocalStack, type LocalStack } from '../../local/stack.ts';
import { NO_ORGANISATION } from '../../shared/ingest/ingest-object.ts';
import { s3LetterObjects } from '../../shared/ingest/letter-objects.ts';
import { createLogger } from '../../shared/logger.ts';
import { readStats } from '../../shared/store/stats.ts';
import { putDetermination } from '../../shared/store/determinations.ts';
import { getStoredDetermination } from '../../shared/store/stored-determination.ts';
import { parseLetterText } from '../../shared/parser/parse-letter.ts';
import { getUpload, listOrganisationUploads } from '../../shared/store/uploads.ts';
import { generateLetter } from '../../synthetic/generate.ts';
import { renderLetter, type LetterSpec } from '../../synthetic/render-letter.ts';
import { SPEC } from '../fixtures/synthetic-letter.ts';
import { corpusPdfs, HAVE_LETTERS } from '../support/letters.ts';
import { minimalPdf, passwordPdf, textPdf } from '../support/pdf.ts';
import { ingestIdleAfter, snapshot, uploadAndWait } from '../support/store.ts';

let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack({ dataDir: null, logger: createLogger({ level: 'silent' }) });
});

afterAll(async () => {
  await stack?.stop();
});

function letter(caseNumber: string, overrides: Partial<LetterSpec> = {}): string {
  return renderLetter({ ...SPEC, caseNumber, ...overrides }, { layout: 'full-letter' });
}

/** Asserts that every stored counter equals a recount from the stored determinations. */
async function expectConsistent(): Promise<Awaited<ReturnType<typeof snapshot>>> {
  const snap = await snapshot(stack);
  expect(snap.counters).toEqual(snap.recount);
  expect(snap.indexEntries).toEqual(snap.expectedIndexEntries);
  expect(snap.markers).toBe(0);
  for (const d of snap.determinations.values()) expect(d.state).toBe('complete');
  return snap;
}

/** The Lambda handler over the local stack, for delivering events by hand. */
function ingestHandler(): ReturnType<typeof createIngestHandler> {
  return createIngestHandler({
    table: stack.table,
    objects: s3LetterObjects(stack.s3),
    logger: createLogger({ level: 'silent' }),
  });
}

function event(key: string, sequencer: string): S3Event {
  return objectCreatedEvent(stack.bucket, key, { size: 1, eTag: 'e', sequencer });
}

describe('ingesting one letter', () => {
  it('stores the determination, its index entries and counters, and leaves a parsed object untagged', async () => {
    const upload = await uploadAndWait(stack, 'uploads/acme/one.txt', letter('CM16-0000101'));
    expect(upload).toMatchObject({
      status: 'parsed',
      organisation: 'acme',
      caseNumber: 'CM16-0000101',
      items: 3,
      outcome: 'partially overturned',
      reason: null,
    });
    const stored = await getStoredDetermination(stack.table, 'CM16-0000101');
    expect(stored?.record?.issues.map((i) => i.decision)).toEqual([
      'upheld',
      'upheld',
      'overturned',
    ]);
    const tags = await stack.s3.send(
      new GetObjectTaggingCommand({ Bucket: stack.bucket, Key: 'uploads/acme/one.txt' }),
    );
    // Only failures are tagged (for the quarantine lifecycle rule); the receipt has the status.
    expect(tags.TagSet).toEqual([]);
    await expectConsistent();
  });

  it('treats a re-delivered event as a no-op', async () => {
    const key = 'uploads/acme/redelivered.txt';
    await uploadAndWait(stack, key, letter('CM16-0000102'));
    const before = await snapshot(stack);
    const handler = ingestHandler();
    const redelivery = { Records: [{ messageId: 'm1', body: JSON.stringify(event(key, '0001')) }] };
    // Same event twice, and once out of order (an older sequencer).
    for (const e of [redelivery, redelivery]) {
      const out = await handler(e as unknown as Parameters<typeof handler>[0]);
      expect(out.batchItemFailures).toEqual([]);
    }
    const after = await snapshot(stack);
    expect(after.counters).toEqual(before.counters);
    expect((await getUpload(stack.table, key))?.status).toBe('parsed');
  });

  it('counts the same bytes under a second key, or uploaded again, once', async () => {
    const text = letter('CM16-0000103');
    await uploadAndWait(stack, 'uploads/acme/first.txt', text);
    const before = await snapshot(stack);
    expect((await uploadAndWait(stack, 'uploads/other-org/copy.txt', text)).status).toBe(
      'duplicate',
    );
    expect((await uploadAndWait(stack, 'uploads/acme/first.txt', text)).status).toBe('duplicate');
    const after = await expectConsistent();
    expect(after.counters).toEqual(before.counters);
    expect(after.determinations.size).toBe(before.determinations.size);
  });

  it('replaces the record when the file under a key changes, moving the counters', async () => {
    const key = 'uploads/acme/changing.txt';
    await uploadAndWait(stack, key, letter('CM16-0000104'));
    const before = await readStats(stack.table, { dimension: 'total' });
    const flipped = SPEC.items.map((i) => ({ ...i, decision: 'Overturned' as const }));
    const upload = await uploadAndWait(stack, key, letter('CM16-0000104', { items: flipped }));
    expect(upload.status).toBe('replaced');
    const after = await readStats(stack.table, { dimension: 'total' });
    const b = before.groups.get('*')!;
    const a = after.groups.get('*')!;
    expect(a.upheld).toBe(b.upheld - 2);
    expect(a.overturned).toBe(b.overturned + 2);
    await expectConsistent();
  });

  /** A handler whose read of the object returns `bytes` after running `meanwhile`. */
  function lateReader(bytes: Uint8Array, meanwhile: () => Promise<void> = async () => undefined) {
    // S3 cannot be made to serve an overwritten object's old bytes on demand, so the read is
    // stubbed; the store is the real one.
    return createIngestHandler({
      table: stack.table,
      objects: {
        read: async () => {
          await meanwhile();
          return { kind: 'ok', bytes, version: `read-${Math.random()}`, uploadId: null };
        },
        tag: async () => undefined,
        put: async () => undefined,
      },
      logger: createLogger({ level: 'silent' }),
    });
  }
  const deliver = async (
    handler: ReturnType<typeof lateReader>,
    key: string,
    sequencer: string,
  ) => {
    const body = JSON.stringify(event(key, sequencer));
    const out = await handler({ Records: [{ messageId: 'late', body }] } as unknown as Parameters<
      typeof handler
    >[0]);
    expect(out.batchItemFailures).toEqual([]);
  };
  const flipped = SPEC.items.map((i) => ({ ...i, decision: 'Overturned' as const }));

  it('ignores an event older than the one recorded for its key', async () => {
    const key = 'uploads/acme/late.txt';
    const newer = await uploadAndWait(stack, key, letter('CM16-0000107'));
    const oldBytes = new TextEncoder().encode(letter('CM16-0000107', { items: flipped }));
    await deliver(lateReader(oldBytes), key, '0001');
    const stored = await getStoredDetermination(stack.table, 'CM16-0000107');
    expect(stored?.record?.issues.map((i) => i.decision)).toEqual([
      'upheld',
      'upheld',
      'overturned',
    ]);
    expect(await getUpload(stack.table, key)).toEqual(newer);
    await expectConsistent();
  });

  it('does not let a late event overwrite a newer upload still being recorded', async () => {
    const key = 'uploads/acme/late-2.txt';
    // The newer upload's determination is stored; its status is not written yet.
    const newer = parseLetterText(letter('CM16-0000108'), 'late-2.txt');
    await putDetermination(stack.table, {
      id: 'CM16-0000108',
      record: newer,
      contentHash: 'newer',
      organisation: 'acme',
      sourceKey: key,
      sequencer: 'F'.repeat(32),
      now: new Date().toISOString(),
    });
    const oldBytes = new TextEncoder().encode(letter('CM16-0000108', { items: flipped }));
    await deliver(lateReader(oldBytes), key, '0001');
    const stored = await getStoredDetermination(stack.table, 'CM16-0000108');
    expect(stored?.contentHash).toBe('newer');
    await expectConsistent();
  });

  it('takes back what a late event stored when a newer upload of another case was recorded meanwhile', async () => {
    const key = 'uploads/acme/late-3.txt';
    const oldBytes = new TextEncoder().encode(letter('CM16-0000109'));
    // While the late event reads, the key is overwritten with case 110 and that is ingested.
    const meanwhile = async () => {
      await uploadAndWait(stack, key, letter('CM16-0000110'));
    };
    await deliver(lateReader(oldBytes, meanwhile), key, '0001');
    expect(await getStoredDetermination(stack.table, 'CM16-0000109')).toBeNull();
    expect((await getUpload(stack.table, key))?.caseNumber).toBe('CM16-0000110');
    await expectConsistent();
  });

  it('takes back the old case when the key now holds another case', async () => {
    const key = 'uploads/acme/moved.txt';
    await uploadAndWait(stack, key, letter('CM16-0000105'));
    expect(await getStoredDetermination(stack.table, 'CM16-0000105')).not.toBeNull();
    expect((await uploadAndWait(stack, key, letter('CM16-0000106'))).status).toBe('parsed');
    expect(await getStoredDetermination(stack.table, 'CM16-0000105')).toBeNull();
    await expectConsistent();
  });
});

describe('failures', () => {
  const cases: [string, Uint8Array | string, string, RegExp][] = [
    ['empty.txt', '', 'empty', /empty/i],
    [
      'photo.txt',
      new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 0, 0, 1, 2, 3, 0, 0, 0]),
      'binary',
      /./,
    ],
    ['locked.pdf', passwordPdf('secret'), 'pdf-password', /password/i],
    ['scan.pdf', minimalPdf(''), 'pdf-no-text', /scan|text/i],
    ['broken.pdf', new TextEncoder().encode('%PDF-1.4\n1 0 obj\n<<'), 'pdf-corrupt', /./],
    [
      'memo.pdf',
      textPdf(['Quarterly report', 'Nothing to see here']),
      'unknown-layout',
      /not a recognised/,
    ],
    ['page.html', '<!doctype html><html><body>Hello</body></html>', 'unknown-layout', /./],
  ];
  for (const [name, body, reason, message] of cases) {
    it(`records ${name} as failed (${reason}) and tags it`, async () => {
      const key = `uploads/acme/bad/${name}`;
      const upload = await uploadAndWait(stack, key, body);
      expect(upload.status).toBe('failed');
      expect(upload.reason).toBe(reason);
      expect(upload.message).toMatch(message);
      const tags = await stack.s3.send(
        new GetObjectTaggingCommand({ Bucket: stack.bucket, Key: key }),
      );
      expect(tags.TagSet).toContainEqual({ Key: 'imr-reason', Value: reason });
    });
  }

  it('ingests a file whose key is as long as S3 allows (1,024 bytes)', async () => {
    const key = `uploads/acme/${`${'d'.repeat(240)}/`.repeat(4)}${'k'.repeat(43)}.txt`;
    expect(Buffer.byteLength(key)).toBe(1024);
    expect(await uploadAndWait(stack, key, letter('CM16-0000198'))).toMatchObject({
      status: 'parsed',
    });
  });

  it('ignores folder markers', async () => {
    const received = stack.ingest.counts.received;
    await stack.s3.send(
      new PutObjectCommand({ Bucket: stack.bucket, Key: 'uploads/acme/folder/', Body: '' }),
    );
    // Its event does reach the ingest, which must leave it alone.
    await ingestIdleAfter(stack, received + 1);
    expect(await getUpload(stack.table, 'uploads/acme/folder/')).toBeNull();
  });

  it('records a file outside any organisation folder', async () => {
    const upload = await uploadAndWait(stack, 'uploads/stray.txt', letter('CM16-0000199'));
    expect(upload).toMatchObject({
      status: 'failed',
      reason: 'outside-uploads',
      organisation: NO_ORGANISATION,
    });
    expect(await getStoredDetermination(stack.table, 'CM16-0000199')).toBeNull();
  });

  it('ignores objects outside uploads/ (receipts, exports)', async () => {
    await stack.s3.send(
      new PutObjectCommand({ Bucket: stack.bucket, Key: 'receipts/acme/x.json', Body: '{}' }),
    );
    await stack.ingest.idle();
    expect(await getUpload(stack.table, 'receipts/acme/x.json')).toBeNull();
  });

  it('records a file over 20 MB as too large without parsing it', async () => {
    const upload = await uploadAndWait(
      stack,
      'uploads/acme/bad/huge.pdf',
      new Uint8Array(21 * 1024 * 1024),
    );
    expect(upload).toMatchObject({ status: 'failed', reason: 'too-large' });
    expect(upload.message).toMatch(/21\.0 MB/);
  });

  it('records an object deleted before it was read', async () => {
    const key = 'uploads/acme/bad/gone.txt';
    await stack.s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key: key, Body: 'x' }));
    await stack.ingest.idle();
    await stack.s3.send(new DeleteObjectCommand({ Bucket: stack.bucket, Key: key }));
    const handler = ingestHandler();
    const body = JSON.stringify(event(key, 'FFFFFFFFFFFFFFFF'));
    await handler({ Records: [{ messageId: 'm', body }] } as unknown as Parameters<
      typeof handler
    >[0]);
    expect(await getUpload(stack.table, key)).toMatchObject({
      status: 'failed',
      reason: 'object-missing',
    });
  });

  it('records a write the table refuses as invalid, rather than retrying it', async () => {
    const key = 'uploads/acme/bad/refused.txt';
    // Past assertStorable, no real request is invalid any more; a client that answers the claim
    // with DynamoDB's ValidationException stands for whatever DynamoDB may refuse in future.
    const real = stack.dynamodb;
    const refusing = {
      send: async (command: Parameters<typeof real.send>[0]) => {
        if (
          command instanceof PutItemCommand &&
          command.input.Item?.['type']?.S === 'determination'
        ) {
          throw Object.assign(new Error('Item size has exceeded the maximum allowed size'), {
            name: 'ValidationException',
          });
        }
        return real.send(command);
      },
    } as unknown as typeof real;
    const handler = createIngestHandler({
      table: { client: refusing, tableName: stack.tableName },
      // The letter as read from the bucket, without an upload the local stack would ingest itself.
      objects: {
        ...s3LetterObjects(stack.s3),
        read: async () => ({
          kind: 'ok',
          bytes: new TextEncoder().encode(letter('CM16-0000190')),
          version: 'refused-1',
          uploadId: null,
        }),
      },
      logger: createLogger({ level: 'silent' }),
    });
    const body = JSON.stringify(event(key, 'FFFFFFFFFFFFFFFF'));
    const out = await handler({ Records: [{ messageId: 'm', body }] } as unknown as Parameters<
      typeof handler
    >[0]);
    expect(out.batchItemFailures).toEqual([]);
    const upload = await getUpload(stack.table, key);
    expect(upload).toMatchObject({ status: 'failed', reason: 'store-rejected' });
    expect(upload?.message).toMatch(/refused\.txt \(case CM16-0000190\) could not be stored/);
  });

  it('lists the failed uploads of an organisation', async () => {
    const failed = await listOrganisationUploads(stack.table, 'acme', 'failed');
    expect(failed.map((u) => basename(u.key))).toEqual(
      expect.arrayContaining(['empty.txt', 'locked.pdf', 'huge.pdf', 'gone.txt', 'refused.txt']),
    );
    expect(failed.every((u) => u.reason !== null)).toBe(true);
  });
});

describe('many letters at once', () => {
  it('keeps every counter equal to a recount when 500 letters arrive concurrently', async () => {
    // Synthetic letters across every category, many months and both layouts, a few as PDF.
    await Promise.all(
      Array.from({ length: 500 }, (_, n) => {
        const generated = generateLetter(n, 11, n % 25 === 0 ? 'pdf' : 'text');
        return stack.s3.send(
          new PutObjectCommand({
            Bucket: stack.bucket,
            Key: `uploads/bulk/${generated.fileName}`,
            Body: generated.bytes,
          }),
        );
      }),
    );
    await stack.ingest.idle();
    const snap = await expectConsistent();
    const bulk = snap.uploads.filter((u) => u.key.startsWith('uploads/bulk/'));
    expect(bulk).toHaveLength(500);
    expect(bulk.filter((u) => u.status !== 'parsed')).toEqual([]);
    const synthetic = [...snap.determinations.values()].filter((d) =>
      d.record.flags.includes('synthetic'),
    );
    expect(synthetic).toHaveLength(500);
  }, 300_000);
});

describe('one case from many uploads at once', () => {
  it('stores one determination when the same bytes arrive under 20 keys at once', async () => {
    const text = letter('CM17-0000301');
    await Promise.all(
      Array.from({ length: 20 }, (_, n) =>
        stack.s3.send(
          new PutObjectCommand({
            Bucket: stack.bucket,
            Key: `uploads/race/same-${n}.txt`,
            Body: text,
          }),
        ),
      ),
    );
    await stack.ingest.idle();
    const snap = await expectConsistent();
    const statuses = snap.uploads
      .filter((u) => u.key.startsWith('uploads/race/same-'))
      .map((u) => u.status);
    expect(statuses.filter((s) => s === 'parsed')).toHaveLength(1);
    expect(statuses.filter((s) => s === 'duplicate')).toHaveLength(19);
  });

  it('keeps counters exact when different versions of one case race', async () => {
    const versions = Array.from({ length: 12 }, (_, n) =>
      letter('CM17-0000302', {
        items: SPEC.items.map((item, i) => ({
          ...item,
          decision: (n >> i) & 1 ? ('Overturned' as const) : ('Upheld' as const),
        })),
      }),
    );
    await Promise.all(
      versions.map((body, n) =>
        stack.s3.send(
          new PutObjectCommand({
            Bucket: stack.bucket,
            Key: `uploads/race/version-${n}.txt`,
            Body: body,
          }),
        ),
      ),
    );
    await stack.ingest.idle();
    await expectConsistent();
    const stored = await getStoredDetermination(stack.table, 'CM17-0000302');
    expect(stored?.state).toBe('complete');
  });
});

describe.skipIf(!HAVE_LETTERS)('the corpus', () => {
  it('ingests all 120 letters with no failure', async () => {
    const pdfs = corpusPdfs();
    for (const path of pdfs) {
      await stack.s3.send(
        new PutObjectCommand({
          Bucket: stack.bucket,
          Key: `uploads/corpus/${basename(path)}`,
          Body: readFileSync(path),
        }),
      );
    }
    await stack.ingest.idle();
    const snap = await expectConsistent();
    const corpus = snap.uploads.filter((u) => u.key.startsWith('uploads/corpus/'));
    expect(corpus).toHaveLength(120);
    expect(corpus.filter((u) => u.status === 'failed')).toEqual([]);
  }, 300_000);
});
