import { DeleteObjectCommand, GetObjectTaggingCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reparseCommand } from '../../cli/reparse.ts';
import { createIngestHandler } from '../../functions/s3-ingest-letter.ts';
import { toSqsEvent } from '../../local/ingest-queue.ts';
import { objectCreatedEvent } from '../../local/s3-local.ts';
import { startLocalStack, type LocalStack } from '../../local/stack.ts';
import { auditSnapshot } from '../../scripts/chaos/audit.ts';
import { s3LetterObjects, type LetterObjects } from '../../shared/ingest/letter-objects.ts';
import { createLogger } from '../../shared/logger.ts';
import { parseLetter } from '../../shared/parser/parse-letter.ts';
import { putDetermination } from '../../shared/store/determinations.ts';
import { getStoredDetermination } from '../../shared/store/stored-determination.ts';
import { listHeld } from '../../shared/store/provenance.ts';
import { getUpload } from '../../shared/store/uploads.ts';
import { renderLetter } from '../../synthetic/render-letter.ts';
import { SPEC } from '../fixtures/synthetic-letter.ts';
import { imageOnlyPdf } from '../support/bad-pdfs.ts';
import { capture } from '../support/capture.ts';
import { receiptOf, snapshot, uploadAndWait } from '../support/store.ts';

// `imr reparse` against the real local stack: uploads are copied onto themselves in the local S3,
// whose events reach the ingest as any upload's do, and the command waits for their receipts.
// What an older build left (a scan it could not read, a record its parser read differently) is
// made by delivering an event through a handler that reads other bytes for the key.

let dataDir: string;
let stack: LocalStack;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'imr-reparse-'));
  stack = await startLocalStack({ dataDir, logger: createLogger({ level: 'silent' }) });
});

afterAll(async () => {
  await stack?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

const letter = (caseNumber: string): string =>
  renderLetter({ ...SPEC, caseNumber }, { layout: 'full-letter' });

/** Records an upload as a build that read `bytes` for it would have (a new event, by hand). */
async function recordAsOlderBuild(key: string, bytes: Uint8Array | string): Promise<void> {
  const real = s3LetterObjects(stack.s3);
  const objects: LetterObjects = {
    ...real,
    async read(bucket, k) {
      const read = await real.read(bucket, k);
      if (k !== key || read.kind !== 'ok') return read;
      const body = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
      return { ...read, bytes: body, version: `older-build-${read.version}` };
    },
  };
  const handler = createIngestHandler({
    table: stack.table,
    objects,
    logger: createLogger({ level: 'silent' }),
  });
  const event = toSqsEvent(
    [
      {
        id: `older-${key}`,
        body: JSON.stringify(objectCreatedEvent(stack.bucket, key, { size: 1, eTag: 'e' })),
        receives: 1,
      },
    ],
    'test',
  );
  const out = await handler(event);
  expect(out.batchItemFailures).toEqual([]);
}

async function reparse(...args: string[]) {
  const { io, out, err } = capture();
  const code = await reparseCommand([...args, '--data-dir', dataDir], io);
  return { code, stdout: out(), stderr: err() };
}

async function expectConsistent(): Promise<void> {
  const snap = await snapshot(stack);
  const audit = auditSnapshot(
    snap,
    snap.uploads.map((u) => u.key),
  );
  expect(audit).toMatchObject({
    lost: [],
    counterMismatches: [],
    indexMismatches: 0,
    pending: 0,
    markers: 0,
    queued: 0,
  });
}

describe('imr reparse', () => {
  it('reads again an upload an older build failed as pdf-no-text, and clears its failure tag', async () => {
    const key = 'uploads/acme/scan-0701.txt';
    await uploadAndWait(stack, key, letter('CM16-0000701'));
    await uploadAndWait(stack, 'uploads/acme/other-0702.txt', letter('CM16-0000702'));
    await recordAsOlderBuild(key, imageOnlyPdf());
    expect(await receiptOf(stack, key)).toMatchObject({ status: 'failed', reason: 'pdf-no-text' });
    expect((await getStoredDetermination(stack.table, 'CM16-0000701'))?.record ?? null).toBeNull();
    const tags = await stack.s3.send(
      new GetObjectTaggingCommand({ Bucket: stack.bucket, Key: key }),
    );
    expect(tags.TagSet).toContainEqual({ Key: 'imr-status', Value: 'failed' });

    const dry = await reparse('--reason', 'pdf-no-text', '--dry-run');
    expect(dry).toMatchObject({ code: 0, stderr: '' });
    expect(dry.stdout).toBe(
      `${key}\n1 uploads chosen (failed: pdf-no-text) would be read again (dry run: nothing sent)\n`,
    );

    const run = await reparse('--reason', 'pdf-no-text');
    expect(run.stderr).toContain('Reading again 1 uploads chosen (failed: pdf-no-text)');
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(
      /^Read again 1 files in the local stack .* in [\d.]+ s:\n {2}parsed {6}1\n/,
    );
    expect(await receiptOf(stack, key)).toMatchObject({
      status: 'parsed',
      caseNumber: 'CM16-0000701',
    });
    expect(await getUpload(stack.table, key)).toMatchObject({ status: 'parsed' });
    const after = await stack.s3.send(
      new GetObjectTaggingCommand({ Bucket: stack.bucket, Key: key }),
    );
    expect(after.TagSet ?? []).toEqual([]);
    await expectConsistent();

    // Nothing failed any more: nothing to do.
    expect(await reparse('--failed')).toMatchObject({ code: 0 });
    expect((await reparse('--failed')).stdout).toContain('nothing to read again');
  });

  it('replaces a record an older parser read differently, and changes nothing the second time', async () => {
    const key = 'uploads/acme/older-0711.txt';
    const text = letter('CM16-0000711');
    await uploadAndWait(stack, key, text);
    // A copy from another organisation corroborates the record throughout.
    await uploadAndWait(stack, 'uploads/beta/copy-0711.txt', text);
    const current = await parseLetter(new TextEncoder().encode(text), 'older-0711.txt');
    // The older build read the second item's decision the other way.
    const flipped = text.replace('6\nsessions is: Upheld', '6\nsessions is: Overturned');
    expect(flipped).not.toBe(text);
    await recordAsOlderBuild(key, flipped);
    const older = await getStoredDetermination(stack.table, 'CM16-0000711');
    expect(older?.record).not.toEqual(current);
    await expectConsistent();

    const run = await reparse('--all', '--org', 'acme');
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const stored = await getStoredDetermination(stack.table, 'CM16-0000711');
    expect(JSON.parse(JSON.stringify(stored?.record))).toEqual(JSON.parse(JSON.stringify(current)));
    expect(await receiptOf(stack, key)).toMatchObject({ status: 'replaced' });
    expect(await receiptOf(stack, 'uploads/beta/copy-0711.txt')).toMatchObject({
      status: 'duplicate',
    });
    await expectConsistent();
    const counters = (await snapshot(stack)).counters;

    // Read again with the same parser: every letter reads the same, and no counter moves.
    const again = await reparse('--all');
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toMatch(/parsed {6}0\n {2}replaced {4}0\n {2}duplicates {2}\d+\n/);
    expect((await snapshot(stack)).counters).toEqual(counters);
    await expectConsistent();
  });

  it('replaces the record when only its prose differs, for the upload it came from only', async () => {
    const text = letter('CM16-0000721');
    await uploadAndWait(stack, 'uploads/acme/prose-0721.txt', text);
    const stored = await getStoredDetermination(stack.table, 'CM16-0000721');
    const record = stored!.record!;
    const reworded = { ...record, summary: `${record.summary ?? ''} (read better)` };
    const contentHash = createHash('sha256').update(text).digest('hex');
    const write = (organisation: string, sourceKey: string, sequencer: string) =>
      putDetermination(stack.table, {
        id: 'CM16-0000721',
        record: reworded,
        contentHash,
        organisation,
        sourceKey,
        sequencer,
        now: new Date().toISOString(),
      });
    const seq = stored!.sourceSequencer!;
    // Another organisation's copy with other prose corroborates; it changes nothing.
    expect(await write('beta', 'uploads/beta/prose-0721.txt', `${seq}1`)).toBe('duplicate');
    expect((await getStoredDetermination(stack.table, 'CM16-0000721'))?.record?.summary).toBe(
      record.summary,
    );
    // The owner's same upload read again with other prose replaces it.
    expect(await write('acme', 'uploads/acme/prose-0721.txt', `${seq}2`)).toBe('replaced');
    expect((await getStoredDetermination(stack.table, 'CM16-0000721'))?.record?.summary).toBe(
      reworded.summary,
    );
    // The owner's other key with the same coded fields is still a duplicate.
    expect(await write('acme', 'uploads/acme/another-0721.txt', `${seq}3`)).toBe('duplicate');
  });

  it('reads again uploads whose keys hold spaces, "+", "#", "?", "%" and unicode', async () => {
    const keys = [
      'uploads/keys/with space-0801.txt',
      'uploads/keys/plus+sign-0802.txt',
      'uploads/keys/hash#mark-0803.txt',
      'uploads/keys/question?mark-0804.txt',
      'uploads/keys/per%25cent-0805.txt',
      'uploads/keys/caf\u00e9 \u00fcber-0806.txt',
    ];
    for (const [i, key] of keys.entries()) {
      const upload = await uploadAndWait(stack, key, letter(`CM16-000080${i + 1}`));
      expect(upload.status, key).toBe('parsed');
    }
    const run = await reparse('--all', '--org', 'keys');
    expect(run.code, run.stdout + run.stderr).toBe(0);
    for (const key of keys) {
      expect((await receiptOf(stack, key))?.status, key).toBe('duplicate');
    }
    await expectConsistent();
  });

  it("after --org of the owner alone, another organisation's copy may conflict until --all reads it too", async () => {
    const ownerKey = 'uploads/acme/held-0811.txt';
    const copyKey = 'uploads/beta/held-0811.txt';
    const text = letter('CM16-0000811');
    const flipped = text.replace('6\nsessions is: Upheld', '6\nsessions is: Overturned');
    await uploadAndWait(stack, ownerKey, text);
    await recordAsOlderBuild(ownerKey, flipped);
    await uploadAndWait(stack, copyKey, text);
    await recordAsOlderBuild(copyKey, flipped);
    const kinds = async () => (await listHeld(stack.table, 'CM16-0000811')).map((h) => h.kind);
    expect(await kinds()).toEqual(['corroboration']);

    expect((await reparse('--all', '--org', 'acme')).code).toBe(0);
    // beta's copy is still the older build's reading, compared with the new record.
    expect(await kinds()).toEqual(['conflict']);
    const run = await reparse('--all');
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(await kinds()).toEqual(['corroboration']);
    expect(await receiptOf(stack, copyKey)).toMatchObject({ status: 'duplicate' });
    await expectConsistent();
  });

  it('names failed uploads the bucket no longer holds, once, and leaves them out', async () => {
    const key = 'uploads/gone/expired-0821.txt';
    await uploadAndWait(stack, key, 'Shopping list: eggs, milk');
    expect(await receiptOf(stack, key)).toMatchObject({ status: 'failed' });
    await stack.s3.send(new DeleteObjectCommand({ Bucket: stack.bucket, Key: key }));
    await stack.ingest.idle();
    const run = await reparse('--failed', '--org', 'gone');
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stderr).toContain(
      `1 uploads chosen (failed of gone) are no longer in the bucket (expired or deleted), so cannot be read again: ${key}`,
    );
    expect(run.stdout).toContain('nothing to read again');
  });

  it("leaves out objects outside any organisation's folder, which get no receipt", async () => {
    const stray = 'uploads/stray-0841.txt';
    const received = stack.ingest.counts.received;
    await stack.s3.send(
      new PutObjectCommand({ Bucket: stack.bucket, Key: stray, Body: letter('CM16-0000841') }),
    );
    while (stack.ingest.counts.received <= received) await new Promise((r) => setTimeout(r, 10));
    await stack.ingest.idle();
    const dry = await reparse('--all', '--dry-run');
    expect(dry.stdout).not.toContain(stray);
    const run = await reparse('--all', '--timeout', '30');
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout + run.stderr).not.toContain('not ingested within');
  });

  it('refuses an unclear choice, an unknown reason and a choice over its limit', async () => {
    expect(await reparse()).toMatchObject({ code: 2 });
    expect((await reparse()).stderr).toContain('--all, --failed or --reason CODE');
    const unknown = await reparse('--reason', 'cosmic-rays');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('"cosmic-rays" is not a failure reason; one of: empty,');
    expect(await reparse('--all', '--failed')).toMatchObject({ code: 2 });
    const aws = capture();
    expect(await reparseCommand(['--failed', '--bucket', 'b'], aws.io)).toBe(2);
    expect(aws.err()).toContain('--failed and --reason read the upload records: give --table NAME');
    await uploadAndWait(stack, 'uploads/limit/one-0851.txt', letter('CM16-0000851'));
    await uploadAndWait(stack, 'uploads/limit/two-0852.txt', letter('CM16-0000852'));
    const over = await reparse('--all', '--limit', '1');
    expect(over.code).toBe(2);
    expect(over.stderr).toMatch(/imr reparse: \d+ uploads are chosen \(all\), more than --limit 1/);
  });
});
