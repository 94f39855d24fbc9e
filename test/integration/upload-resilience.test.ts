import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uploadCommand } from '../../cli/upload.ts';
import { readStackFile, writeStackFile } from '../../local/stack-file.ts';
import { startLocalStack, type LocalStack } from '../../local/stack.ts';
import { createLogger } from '../../shared/logger.ts';
import { capture } from '../support/capture.ts';
import { corpusPdfs, HAVE_LETTERS } from '../support/letters.ts';
import { startResettingProxy } from '../support/resetting-proxy.ts';

// `imr upload` never crashes (issue 16): re-uploading the same ten letters to one organisation
// died in 6 of 20 runs with an uncaught `Error: aborted` (ECONNRESET), no summary: the local S3
// cut a receipt's body short while the ingest rewrote it. Every run must end with its summary
// and an exit status, on the real local stack and through a network that resets connections.

let dataDir: string;
let letters: string;
let stack: LocalStack;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'imr-reupload-'));
  letters = await mkdtemp(join(tmpdir(), 'imr-reupload-letters-'));
  for (const p of corpusPdfs().slice(0, 10)) await copyFile(p, join(letters, basename(p)));
  stack = await startLocalStack({ dataDir, logger: createLogger({ level: 'silent' }) });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await rm(dataDir, { recursive: true, force: true });
  await rm(letters, { recursive: true, force: true });
});

/** `imr upload` in this process: an uncaught error would reject here and fail the test. */
async function upload(dir: string) {
  const c = capture();
  const status = await uploadCommand([letters, '--data-dir', dir, '--org', 'acme'], c.io);
  return { status, out: c.out(), err: c.err() };
}

describe.skipIf(!HAVE_LETTERS)('imr upload, the same ten files again and again', () => {
  it('ends every run with its summary: parsed once, then duplicates', async () => {
    const first = await upload(dataDir);
    expect(first.out).toMatch(/Uploaded 10 files/);
    expect(first.out).toMatch(/parsed +10\n/);
    expect(first.status).toBe(0);
    for (let run = 0; run < 10; run++) {
      const r = await upload(dataDir);
      expect(r.err, `run ${run}`).toBe('');
      expect(r.out, `run ${run}`).toMatch(/Uploaded 10 files[\s\S]*duplicates +10\n/);
      expect(r.status, `run ${run}`).toBe(0);
    }
  }, 300_000);

  it('retries through connections reset mid-response, and still ends with its summary', async () => {
    const stackFile = await readStackFile(dataDir);
    const proxy = await startResettingProxy(stackFile!.s3Endpoint, 7);
    // A data dir whose stack.json sends the command's S3 requests through the proxy.
    const flaky = await mkdtemp(join(tmpdir(), 'imr-reupload-flaky-'));
    await writeStackFile(flaky, { ...stackFile!, s3Endpoint: proxy.url });
    try {
      for (let run = 0; run < 5; run++) {
        const r = await upload(flaky);
        expect(r.out, `run ${run}`).toMatch(/Uploaded \d+ files/);
        expect(r.out, `run ${run}`).toMatch(/duplicates +10\n/);
        expect(r.status, `run ${run}`).toBe(0);
      }
      // The proxy did cut responses, and every one of those was retried.
      expect(proxy.cuts()).toBeGreaterThan(10);
    } finally {
      await proxy.close();
      await rm(flaky, { recursive: true, force: true });
    }
  }, 300_000);

  it('names what it could not send when every connection is reset, and exits 1', async () => {
    const stackFile = await readStackFile(dataDir);
    const proxy = await startResettingProxy(stackFile!.s3Endpoint, 1);
    const broken = await mkdtemp(join(tmpdir(), 'imr-reupload-broken-'));
    await writeStackFile(broken, { ...stackFile!, s3Endpoint: proxy.url });
    try {
      const r = await upload(broken);
      expect(r.status).toBe(1);
      expect(r.err).toMatch(/imr upload: 10 files could not be sent; see below/);
      expect(r.out).toMatch(/Uploaded 0 files[\s\S]*not sent +10\n/);
      expect(r.out).toMatch(/Not sent \(run the same command again to send them\):/);
      expect(r.out).toMatch(/uploads\/acme\/CM\S+\.pdf: .*(aborted|socket hang up|ECONNRESET)/);
    } finally {
      await proxy.close();
      await rm(broken, { recursive: true, force: true });
    }
  }, 120_000);
});
