import { GetObjectTaggingCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { getResolvedPDFJS } from 'unpdf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalServer, type LocalServer } from '../../local/server.ts';
import { startLocalStack, type LocalStack } from '../../local/stack.ts';
import { healthSchema, statsSchema } from '../../shared/api/schemas.ts';
import { createLogger } from '../../shared/logger.ts';
import { receiptKey } from '../../shared/receipts/receipt.ts';
import { getStoredDetermination } from '../../shared/store/stored-determination.ts';
import { getUpload, type UploadRecord } from '../../shared/store/uploads.ts';
import { generateLetter, generateSpec } from '../../synthetic/generate.ts';
import { Random } from '../../synthetic/random.ts';
import { renderLetter, type LetterItem } from '../../synthetic/render-letter.ts';
import { auditSnapshot } from '../../scripts/chaos/audit.ts';
import { encryptPdf, imageOnlyPdf } from '../support/bad-pdfs.ts';
import { blankPagesPdf, deflateBombPdf } from '../support/bombs.ts';
import { ingestIdleAfter, receiptOf, snapshot, uploadAndWait } from '../support/store.ts';

// Every kind of bad input an organisation can drop into the bucket, generated here, through the
// real local stack: each gets its recorded outcome (status, reason, message, tag, receipt), and
// afterwards the table still agrees with itself and the API still answers.

let stack: LocalStack;
let server: LocalServer;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => void unhandled.push(reason);

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  stack = await startLocalStack({ dataDir: null, logger: createLogger({ level: 'silent' }) });
  server = await startLocalServer(stack, { port: 0, logger: createLogger({ level: 'silent' }) });
}, 120_000);

afterAll(async () => {
  await server?.close();
  await stack?.stop();
  process.off('unhandledRejection', onUnhandled);
});

const SEED = 88;
const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

/** A synthetic letter as a PDF (full letter, so its header names its case). */
function letterPdf(index: number): { bytes: Uint8Array; caseNumber: string } {
  const letter = generateLetter(index, SEED, 'pdf');
  return { bytes: letter.bytes, caseNumber: letter.spec.caseNumber };
}

/** `length` code points drawn from many scripts, emoji and combining marks; no control characters. */
function randomUnicode(length: number, seed: number): string {
  const ranges: [number, number][] = [
    [0x20, 0x7e], // ASCII
    [0xa0, 0x24f], // Latin-1, Latin Extended
    [0x370, 0x3ff], // Greek
    [0x400, 0x4ff], // Cyrillic
    [0x591, 0x5f4], // Hebrew
    [0x600, 0x6ff], // Arabic
    [0x900, 0x97f], // Devanagari
    [0x300, 0x36f], // combining marks
    [0x3040, 0x30ff], // kana
    [0x4e00, 0x9fff], // CJK
    [0xac00, 0xd7a3], // Hangul
    [0x1f300, 0x1faff], // emoji (outside the BMP: surrogate pairs in UTF-16)
    [0x20000, 0x2a6df], // CJK extension B
  ];
  const r = new Random(seed);
  let out = '';
  for (let i = 0; i < length; i++) {
    const [lo, hi] = r.pick(ranges);
    out += r.chance(0.05) ? '\n' : String.fromCodePoint(r.int(lo, hi));
  }
  return out;
}

async function tags(key: string): Promise<Record<string, string>> {
  const out = await stack.s3.send(new GetObjectTaggingCommand({ Bucket: stack.bucket, Key: key }));
  return Object.fromEntries((out.TagSet ?? []).map((t) => [t.Key, t.Value]));
}

/** Asserts a recorded failure: status, reason, a message naming the file, tags and receipt. */
async function expectFailure(upload: UploadRecord, reason: string, message: RegExp) {
  const fileName = upload.key.slice(upload.key.lastIndexOf('/') + 1);
  expect(upload).toMatchObject({ status: 'failed', reason, caseNumber: null, items: null });
  expect(upload.message).toMatch(message);
  expect(upload.message).toContain(fileName);
  // No lone surrogate (half an emoji): that is not Unicode, and strict JSON readers refuse it.
  expect(upload.message).not.toMatch(/\p{Cs}/u);
  expect(await tags(upload.key)).toEqual({ 'imr-status': 'failed', 'imr-reason': reason });
  expect(await receiptOf(stack, upload.key)).toMatchObject({
    key: upload.key,
    status: 'failed',
    reason,
    message: upload.message,
  });
}

describe('bad input', () => {
  it('records an empty file as empty', async () => {
    const upload = await uploadAndWait(stack, 'uploads/acme/bad/empty.txt', new Uint8Array());
    await expectFailure(upload, 'empty', /is empty \(0 bytes\)/);
  });

  it('records a 0-byte PDF as empty', async () => {
    const upload = await uploadAndWait(stack, 'uploads/acme/bad/zero.pdf', new Uint8Array());
    await expectFailure(upload, 'empty', /is empty \(0 bytes\)/);
  });

  it('records a PDF cut in half as pdf-corrupt', async () => {
    const whole = letterPdf(1).bytes;
    const upload = await uploadAndWait(
      stack,
      'uploads/acme/bad/truncated.pdf',
      whole.subarray(0, Math.floor(whole.length / 2)),
    );
    await expectFailure(upload, 'pdf-corrupt', /truncated or damaged/);
  });

  it('records a letter locked with a non-empty user password as pdf-password', async () => {
    const { bytes, caseNumber } = letterPdf(2);
    const upload = await uploadAndWait(
      stack,
      'uploads/acme/bad/locked.pdf',
      encryptPdf(bytes, 'open sesame'),
    );
    await expectFailure(upload, 'pdf-password', /password-protected PDF/);
    expect(await getStoredDetermination(stack.table, caseNumber)).toBeNull();
    // The file itself is sound: with the password, pdf.js reads the letter in it.
    const { getDocument } = await getResolvedPDFJS();
    const pdf = await getDocument({
      data: encryptPdf(bytes, 'open sesame'),
      password: 'open sesame',
      verbosity: 0,
    }).promise;
    const text = await (await pdf.getPage(1)).getTextContent();
    expect(text.items.map((i) => ('str' in i ? i.str : '')).join(' ')).toContain(caseNumber);
    await pdf.destroy();
  });

  it('records an image-only PDF (a scan) as pdf-no-text', async () => {
    const upload = await uploadAndWait(stack, 'uploads/acme/bad/scan.pdf', imageOnlyPdf());
    await expectFailure(upload, 'pdf-no-text', /no text layer/);
  });

  it('records PDF bombs as too-complex within seconds, and the letters sent with them parse', async () => {
    const bombs: [string, Uint8Array, RegExp][] = [
      // Ended by the memory watch or, when the process reuses memory it already holds, the
      // deadline: either way within seconds.
      [
        'inflates.pdf',
        await deflateBombPdf(1 << 30),
        /needed more than \d+ MB of memory|took longer than 5 s/,
      ],
      ['pages.pdf', blankPagesPdf(20_000), /has 20,000 pages/],
    ];
    const letters = [letterPdf(20), letterPdf(21)];
    const { retried, deadLettered, received } = stack.ingest.counts;
    const started = Date.now();
    // Sent together, so the bombs and the letters share the ingest's batches.
    await Promise.all(
      [
        ...bombs.map(([name, bytes]) => [`uploads/acme/bombs/${name}`, bytes] as const),
        ...letters.map((l) => [`uploads/acme/bombs/${l.caseNumber}.pdf`, l.bytes] as const),
      ].map(([key, body]) =>
        stack.s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key: key, Body: body })),
      ),
    );
    await ingestIdleAfter(stack, received + 4);
    expect(Date.now() - started).toBeLessThan(30_000);
    for (const [name, , message] of bombs) {
      const upload = await getUpload(stack.table, `uploads/acme/bombs/${name}`);
      await expectFailure(upload!, 'too-complex', message);
      expect(upload!.message).toMatch(/send the letter itself as a PDF of under 20 pages/);
    }
    for (const l of letters) {
      const upload = await getUpload(stack.table, `uploads/acme/bombs/${l.caseNumber}.pdf`);
      expect(upload).toMatchObject({ status: 'parsed', caseNumber: l.caseNumber });
    }
    // Recorded on the first attempt: nothing retried, nothing dead-lettered.
    expect(stack.ingest.counts).toMatchObject({ retried, deadLettered });
  }, 120_000);

  it('records a 50 MB file as too-large without reading it', async () => {
    const size = 50 * 1024 * 1024;
    const upload = await uploadAndWait(stack, 'uploads/acme/bad/bundle.pdf', new Uint8Array(size));
    await expectFailure(upload, 'too-large', /50\.0 MB; a letter may be at most 20 MB/);
    // Never read: no digest of its content was taken.
    expect(upload).toMatchObject({ size, contentHash: null });
  }, 120_000);

  it('records an HTML page as unknown-layout', async () => {
    const page =
      '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">' +
      '<title>Independent Medical Review (IMR) decisions - DWC</title></head>\n<body>\n' +
      '<h1>IMR final determinations</h1>\n<p>Search the decisions by case number.</p>\n' +
      '<table><tr><td>Upheld</td><td>Overturned</td></tr></table>\n</body></html>\n';
    const upload = await uploadAndWait(stack, 'uploads/acme/bad/decisions.html', page);
    await expectFailure(
      upload,
      'unknown-layout',
      /not a recognised IMR final determination letter/,
    );
  });

  it('records random Unicode text as unknown-layout, with a well-formed message', async () => {
    for (const seed of [1, 2, 3]) {
      const key = `uploads/acme/bad/unicode-${seed}.txt`;
      const upload = await uploadAndWait(stack, key, encode(randomUnicode(5_000, seed)));
      await expectFailure(upload, 'unknown-layout', /not a recognised IMR final determination/);
    }
  });

  it('quotes a text that starts with characters outside the BMP without splitting one', async () => {
    // The message quotes the first 100 characters; a cut inside a surrogate pair would store a
    // lone surrogate in the status record and the receipt, which is not valid Unicode.
    const text = `a${'😀'.repeat(200)}`;
    const upload = await uploadAndWait(stack, 'uploads/acme/bad/emoji.txt', text);
    await expectFailure(upload, 'unknown-layout', /found "a(😀){99}\.\.\."/u);
  });

  /** `n` distinct requests gathered from the synthetic generator. */
  function distinctItems(n: number): LetterItem[] {
    const items: LetterItem[] = [];
    const seen = new Set<string>();
    for (let index = 0; items.length < n; index++) {
      for (const item of generateSpec(index, SEED).items) {
        if (items.length < n && !seen.has(item.request)) {
          seen.add(item.request);
          items.push(item);
        }
      }
    }
    return items;
  }

  it('parses a letter with 100 disputed items, keeping every counter right', async () => {
    const items = distinctItems(100);
    const spec = { ...generateSpec(5_000, SEED), caseNumber: 'CM17-0200100', items };
    const text = renderLetter(spec, { layout: 'full-letter' });
    const upload = await uploadAndWait(stack, 'uploads/acme/large/CM17-0200100.txt', text);
    expect(upload).toMatchObject({ status: 'parsed', caseNumber: 'CM17-0200100', items: 100 });
    const stored = await getStoredDetermination(stack.table, 'CM17-0200100');
    expect(stored?.state).toBe('complete');
    expect(stored?.record?.issues.map((i) => i.decision)).toEqual(
      items.map((i) => i.decision.toLowerCase()),
    );
    const snap = await snapshot(stack);
    expect(snap.counters).toEqual(snap.recount);
    expect(snap.indexEntries).toEqual(snap.expectedIndexEntries);
    expect(snap.markers).toBe(0);
    const res = await fetch(`${server.url}api/determinations/CM17-0200100`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { issues: unknown[] }).issues).toHaveLength(100);
  }, 120_000);

  it('refuses 101 items, and 5,000, leaving nothing pending and no counter moved', async () => {
    const before = await snapshot(stack);
    const base = generateSpec(5_001, SEED);
    const over = renderLetter(
      { ...base, caseNumber: 'CM17-0200101', items: distinctItems(101) },
      { layout: 'full-letter' },
    );
    const refused = await uploadAndWait(stack, 'uploads/acme/large/CM17-0200101.txt', over);
    await expectFailure(refused, 'too-many-items', /lists 101 disputed items; .* at most 100/);

    // Terse items, so the letter stays under the parse sandbox's character limit (a longer one
    // is refused as too-complex before its items are counted: the sandbox's own tests).
    const many = Array.from({ length: 5_000 }, (_, i) => ({
      ...base.items[0]!,
      request: `PT visit ${i + 1}`,
      claimsAdministratorGuideline: 'MTUS.',
      reviewerGuideline: 'MTUS.',
      rationale: 'Not medically necessary.',
    }));
    const huge = renderLetter(
      { ...base, caseNumber: 'CM17-0205000', items: many },
      { layout: 'full-letter' },
    );
    expect(huge.length).toBeGreaterThan(400_000);
    expect(huge.length).toBeLessThan(1_000_000);
    const bomb = await uploadAndWait(stack, 'uploads/acme/large/CM17-0205000.txt', huge);
    await expectFailure(bomb, 'too-many-items', /lists 5000 disputed items/);
    expect(await getStoredDetermination(stack.table, 'CM17-0205000')).toBeNull();
    const after = await snapshot(stack);
    expect(after.counters).toEqual(before.counters);
    expect(after.indexEntries).toEqual(before.indexEntries);

    // The case is not stuck: its real letter goes in afterwards.
    const real = renderLetter({ ...base, caseNumber: 'CM17-0205000' }, { layout: 'full-letter' });
    const fine = await uploadAndWait(stack, 'uploads/acme/large/CM17-0205000.txt', real);
    expect(fine.status).toBe('parsed');
    expect((await getStoredDetermination(stack.table, 'CM17-0205000'))?.state).toBe('complete');
  }, 120_000);

  it('records a record too large to store, or a word too long to index, as a failure', async () => {
    const base = generateSpec(5_002, SEED);
    // Rationales of random letters do not compress: 100 of them come to more than 180 KB.
    const random = new Random(42);
    const noise = (n: number) =>
      Array.from(
        { length: n },
        () => 'abcdefghijklmnopqrstuvwxyz0123456789'[random.int(0, 35)],
      ).join('');
    const items = distinctItems(100).map((item) => ({
      ...item,
      rationale: `${noise(4_000)}. Therefore, the request is not medically necessary.`,
    }));
    const big = renderLetter(
      { ...base, caseNumber: 'CM17-0200400', items },
      { layout: 'full-letter' },
    );
    const tooBig = await uploadAndWait(stack, 'uploads/acme/large/CM17-0200400.txt', big);
    await expectFailure(tooBig, 'record-too-large', /KB compressed, more than the 180 KB stored/);

    const longWord = renderLetter(
      {
        ...base,
        caseNumber: 'CM17-0200401',
        items: [{ ...base.items[0]!, request: `MRI of the ${'x'.repeat(3_000)} spine` }],
      },
      { layout: 'full-letter' },
    );
    const unindexable = await uploadAndWait(stack, 'uploads/acme/large/CM17-0200401.txt', longWord);
    await expectFailure(unindexable, 'record-too-large', /too long to index/);
    expect(await getStoredDetermination(stack.table, 'CM17-0200400')).toBeNull();
    expect(await getStoredDetermination(stack.table, 'CM17-0200401')).toBeNull();
    const snap = await snapshot(stack);
    expect(snap.counters).toEqual(snap.recount);
  }, 120_000);

  it('parses files whose names hold spaces and non-ASCII characters, receipts at their keys', async () => {
    const names = [
      'scan 0412 (final).pdf',
      'Décision médicale – été 2016.pdf',
      '審査結果 第3号.txt',
      'ملف القرار.txt',
      'Ünïcødé 😀 letter.txt',
      'folder with spaces/ñandú + plus & ampersand%20.txt',
    ];
    for (const [n, name] of names.entries()) {
      const letter = generateLetter(100 + n, SEED, name.endsWith('.pdf') ? 'pdf' : 'text');
      const key = `uploads/acme/names/${name}`;
      const upload = await uploadAndWait(stack, key, letter.bytes);
      expect(upload).toMatchObject({ key, status: 'parsed' });
      expect(await tags(key)).toEqual({});
      expect(receiptKey(key)).toBe(`receipts/acme/names/${name}.json`);
      expect(await receiptOf(stack, key)).toMatchObject({
        key,
        status: 'parsed',
        caseNumber: upload.caseNumber,
      });
    }
  });
});

describe('after all of it', () => {
  it('leaves every upload recorded, the counters equal to a recount, and the API answering', async () => {
    const snap = await snapshot(stack);
    const keys = snap.uploads.map((u) => u.key);
    const audit = auditSnapshot(snap, keys);
    expect(audit).toMatchObject({
      lost: [],
      counterMismatches: [],
      indexMismatches: 0,
      pending: 0,
      markers: 0,
      queued: 0,
      unexplainedFailures: [],
    });
    // The thirteen bad files above (two bombs) and three refused for DynamoDB's limits (101
    // items, a record too large, a word too long); the 100-item letter, the 5,000-item key's real
    // letter, six named files and the two letters sent with the bombs parsed.
    expect(audit.failures).toBe(16);
    expect(audit.ingested).toBe(10);

    const health = await fetch(`${server.url}api/health`);
    expect(health.status).toBe(200);
    expect(healthSchema.parse(await health.json()).status).toBe('ok');

    const res = await fetch(`${server.url}api/stats?by=category`);
    expect(res.status).toBe(200);
    const stats = statsSchema.parse(await res.json());
    let upheld = 0;
    let overturned = 0;
    for (const d of snap.determinations.values()) {
      for (const issue of d.record.issues) {
        if (issue.decision === 'upheld') upheld++;
        else overturned++;
      }
    }
    expect(stats.totals).toMatchObject({ upheld, overturned, total: upheld + overturned });
    expect(unhandled).toEqual([]);
  });
});
