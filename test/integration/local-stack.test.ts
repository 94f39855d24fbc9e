import { spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { uploadCommand } from '../../cli/upload.ts';
import { STACK_FILE, writeStackFile, type StackFile } from '../../local/stack-file.ts';
import {
  DataDirInUseError,
  replayUnrecorded,
  startLocalStack,
  type LocalStack,
} from '../../local/stack.ts';
import { receiptKey } from '../../shared/receipts/receipt.ts';
import { createLogger } from '../../shared/logger.ts';
import { generateLetter } from '../../synthetic/generate.ts';
import { getStoredDetermination } from '../../shared/store/stored-determination.ts';
import { readStats } from '../../shared/store/stats.ts';
import { corpusPdfs, HAVE_LETTERS } from '../support/letters.ts';
import { capture } from '../support/capture.ts';
import { ingestIdleAfter, receiptOf, snapshot } from '../support/store.ts';

// The stack as `npm start` runs it: a data dir on disk, found by `imr upload` through its
// stack.json, and kept across a restart.

let dataDir: string;
let letters: string;
let stack: LocalStack | undefined;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'imr-stack-'));
  letters = await mkdtemp(join(tmpdir(), 'imr-letters-'));
  await mkdir(join(letters, 'sub folder'));
  // Without the letters, the tests that upload them skip.
  const pdfs = HAVE_LETTERS ? corpusPdfs().slice(0, 6) : [];
  for (const [i, p] of pdfs.entries()) {
    await copyFile(p, join(letters, i < 3 ? '' : 'sub folder', basename(p)));
  }
  await writeFile(join(letters, 'not a letter.txt'), 'Dear colleague, see you Tuesday.\n');
  await writeFile(join(letters, 'ignored.docx'), 'not sent: only .pdf and .txt files are');
});

afterAll(async () => {
  await stack?.stop();
  await rm(dataDir, { recursive: true, force: true });
  await rm(letters, { recursive: true, force: true });
});

describe.skipIf(!HAVE_LETTERS)('imr upload against the local stack', () => {
  it('says how to start a stack when none runs with that data dir', async () => {
    const c = capture();
    expect(await uploadCommand([letters, '--data-dir', dataDir], c.io)).toBe(2);
    expect(c.err()).toMatch(/no local stack is running .*npm start/);
  });

  it('uploads a folder, waits for every file and summarises the results', async () => {
    stack = await startLocalStack({ dataDir, logger: createLogger({ level: 'silent' }) });
    const stackFile = JSON.parse(await readFile(join(dataDir, STACK_FILE), 'utf8')) as {
      s3Endpoint: string;
    };
    expect(stackFile.s3Endpoint).toBe(stack.s3Endpoint);

    const c = capture();
    expect(await uploadCommand([letters, '--data-dir', dataDir, '--org', 'acme'], c.io)).toBe(1);
    expect(c.out()).toMatch(/Uploaded 7 files/);
    expect(c.out()).toMatch(/parsed +6\n/);
    expect(c.out()).toMatch(/failed +1\n/);
    expect(c.out()).toMatch(
      /uploads\/acme\/not a letter\.txt: .*not a recognised IMR final determination letter/,
    );

    const again = capture();
    expect(
      await uploadCommand(
        [join(letters, 'sub folder'), '--data-dir', dataDir, '--org', 'acme'],
        again.io,
      ),
    ).toBe(0);
    expect(again.out()).toMatch(/duplicates +3\n/);
    expect(again.out()).toMatch(/parsed +0\n/);
  });

  it('rejects bad usage with exit status 2', async () => {
    const c = capture();
    expect(await uploadCommand([], c.io)).toBe(2);
    expect(await uploadCommand([letters, '--org', 'a/b'], c.io)).toBe(2);
    expect(await uploadCommand([join(letters, 'missing.pdf')], c.io)).toBe(2);
    expect(c.err()).toMatch(/no files or folders given/);
    expect(c.err()).toMatch(/--org "a\/b"/);
    expect(c.err()).toMatch(/no such file/);
    // Two folders given separately that hold a file of the same name would share one key.
    const other = await mkdtemp(join(tmpdir(), 'imr-letters-'));
    await copyFile(join(letters, 'not a letter.txt'), join(other, 'not a letter.txt'));
    expect(await uploadCommand([letters, other, '--data-dir', dataDir], c.io)).toBe(2);
    expect(c.err()).toMatch(/would both be uploaded as uploads\/local\/not a letter\.txt/);
    await rm(other, { recursive: true });
  });

  it('keeps every record across a restart', async () => {
    const before = await snapshot(stack!);
    const totals = await readStats(stack!.table, { dimension: 'total' });
    await stack!.stop();
    stack = await startLocalStack({ dataDir, logger: createLogger({ level: 'silent' }) });
    const after = await snapshot(stack);
    expect(after.determinations.size).toBe(6);
    expect(after.counters).toEqual(before.counters);
    expect(after.uploads).toHaveLength(before.uploads.length);
    expect(await readStats(stack.table, { dimension: 'total' })).toEqual(totals);
    const anyCase = [...after.determinations.keys()][0]!;
    expect((await getStoredDetermination(stack.table, anyCase))?.state).toBe('complete');
  });

  it('ingests after a restart the uploads that were still queued when it stopped', async () => {
    await Promise.all(
      Array.from({ length: 40 }, (_, n) => {
        const letter = generateLetter(n, 99, 'text');
        return stack!.s3.send(
          new PutObjectCommand({
            Bucket: stack!.bucket,
            Key: `uploads/interrupted/${letter.fileName}`,
            Body: letter.bytes,
          }),
        );
      }),
    );
    // Stop at once: messages still queued are dropped, as a Ctrl+C does.
    await stack!.stop();
    stack = await startLocalStack({ dataDir, logger: createLogger({ level: 'silent' }) });
    await stack.ingest.idle();
    const snap = await snapshot(stack);
    const interrupted = snap.uploads.filter((u) => u.key.startsWith('uploads/interrupted/'));
    expect(interrupted).toHaveLength(40);
    expect(interrupted.filter((u) => u.status !== 'parsed')).toEqual([]);
    expect(snap.counters).toEqual(snap.recount);
  });

  it('refuses a data dir another live stack uses, and stops the JVM a killed stack left', async () => {
    // Stand-ins for the two processes stack.json names: a live Node process (another stack),
    // and a process whose command line names DynamoDB Local (the orphaned JVM).
    const other = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
    const orphan = spawn(process.execPath, [
      '-e',
      'setInterval(() => {}, 1000)',
      'DynamoDBLocal.jar',
    ]);
    const orphanExit = new Promise((r) => orphan.once('exit', r));
    try {
      const dir = await mkdtemp(join(tmpdir(), 'imr-claimed-'));
      // As npm start writes it; only the two process ids matter here.
      const write = (pid: number) =>
        writeStackFile(dir, {
          pid,
          dynamodbPid: orphan.pid!,
          dynamodbEndpoint: 'http://127.0.0.1:9',
          s3Endpoint: 'http://127.0.0.1:9',
          tableName: 'imr-atlas',
          bucket: 'imr-atlas-uploads',
        });

      await write(other.pid!);
      await expect(
        startLocalStack({ dataDir: dir, logger: createLogger({ level: 'silent' }) }),
      ).rejects.toThrow(DataDirInUseError);
      expect(orphan.exitCode).toBeNull(); // the live stack's JVM is left alone

      other.kill('SIGKILL');
      await new Promise((r) => other.once('exit', r));
      await write(other.pid!);
      const lines: string[] = [];
      const logger = createLogger({ level: 'warn', write: (line) => lines.push(line) });
      const started = await startLocalStack({ dataDir: dir, logger });
      await orphanExit;
      expect(orphan.signalCode).toBe('SIGKILL');
      expect(lines.join('\n')).toMatch(/DynamoDB Local left running/);
      await started.stop();
      await rm(dir, { recursive: true, force: true });
    } finally {
      other.kill('SIGKILL');
      orphan.kill('SIGKILL');
    }
  });
});

describe('a restart after a crash', () => {
  it('repairs the writes a killed stack left cut short, and only after a kill', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'imr-torn-'));
    const lines: string[] = [];
    const logger = createLogger({ level: 'warn', write: (line) => lines.push(line) });
    const first = await startLocalStack({ dataDir: dir, logger });
    await first.s3.send(
      new PutObjectCommand({ Bucket: first.bucket, Key: 'other/torn.json', Body: '{}' }),
    );
    const recorded = JSON.parse(await readFile(join(dir, STACK_FILE), 'utf8')) as StackFile;
    await first.stop();
    const metadata = join(dir, 's3', first.bucket, 'other', 'torn.json._S3rver_metadata.json');
    const tear = () => writeFile(metadata, '');
    try {
      // A clean stop leaves no stack.json: nothing to repair, and nothing is read for it.
      await tear();
      const clean = await startLocalStack({ dataDir: dir, logger });
      await clean.stop();
      expect(await readFile(metadata, 'utf8')).toBe('');
      expect(lines.join('\n')).not.toMatch(/cut short/);

      // A killed stack leaves its stack.json (its process gone): the next start repairs.
      const gone = spawn(process.execPath, ['-e', '']);
      await new Promise((r) => gone.once('exit', r));
      await writeStackFile(dir, { ...recorded, pid: gone.pid!, dynamodbPid: gone.pid! });
      const again = await startLocalStack({ dataDir: dir, logger });
      try {
        expect(lines.join('\n')).toMatch(/metadata a killed process left cut short kept/);
        const listed = await again.s3.send(
          new ListObjectsV2Command({ Bucket: again.bucket, Prefix: 'other/' }),
        );
        expect((listed.Contents ?? []).map((o) => o.Key)).toEqual(['other/torn.json']);
      } finally {
        await again.stop();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('queues again an upload whose receipt was cut short, and nothing else', async () => {
    const own = await startLocalStack({ dataDir: null, logger: createLogger({ level: 'silent' }) });
    try {
      const letter = generateLetter(7, 11, 'text');
      const key = `uploads/acme/${letter.fileName}`;
      await own.s3.send(new PutObjectCommand({ Bucket: own.bucket, Key: key, Body: letter.bytes }));
      await ingestIdleAfter(own, 1);
      expect(await replayUnrecorded(own.s3, own.table, own.bucket, own.ingest)).toBe(0);

      // As a process killed while the local S3 wrote the receipt leaves it.
      const receipt = receiptKey(key)!;
      await own.s3.send(
        new PutObjectCommand({
          Bucket: own.bucket,
          Key: receipt,
          Body: '{"receiptVersion": 1, "ke',
        }),
      );
      expect(await replayUnrecorded(own.s3, own.table, own.bucket, own.ingest)).toBe(1);
      await ingestIdleAfter(own, 2);
      expect((await receiptOf(own, key))?.status).toBe('parsed');
      expect(await replayUnrecorded(own.s3, own.table, own.bucket, own.ingest)).toBe(0);
    } finally {
      await own.stop();
    }
  });
});
