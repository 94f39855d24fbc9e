import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleOptions } from '../../cdk/bundling/esbuild.ts';
import { generateLetter } from '../../synthetic/generate.ts';
import { blankPagesPdf } from '../support/bombs.ts';

// The parse sandbox's worker is its own entry file: bundled for Lambda it must be
// parse-worker.mjs next to index.mjs, and the sandbox must find and start it there. The ingest's
// own bundle needs the AWS SDK and a table to run, so an entry that calls the sandbox directly
// is bundled with the ingest's options (the same worker entry) and run from a folder outside
// the project, where nothing but the bundle can be loaded.

const ROOT = resolve(import.meta.dirname, '../..');
let outdir: string;

beforeAll(async () => {
  outdir = mkdtempSync(join(tmpdir(), 'imr-bundle-'));
  const options = bundleOptions('s3-ingest-letter', outdir);
  const entries = options.entryPoints as { in: string; out: string }[];
  await build({
    ...options,
    entryPoints: [
      { in: join(ROOT, 'test/support/sandbox-main.ts'), out: 'index' },
      ...entries.slice(1),
    ],
  });
});
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('the parse sandbox, bundled as for Lambda', () => {
  it('is two files: the worker carries pdf.js, the function does not', () => {
    expect(existsSync(join(outdir, 'index.mjs'))).toBe(true);
    expect(existsSync(join(outdir, 'parse-worker.mjs'))).toBe(true);
    const main = readFileSync(join(outdir, 'index.mjs'), 'utf8');
    expect(main).toContain('parse-worker.mjs');
    expect(main).not.toContain('getDocument');
    expect(readFileSync(join(outdir, 'parse-worker.mjs'), 'utf8')).toContain('getDocument');
  });

  it('parses a letter in the bundled worker and fails a bomb as too-complex', () => {
    const good = generateLetter(5, 16, 'pdf');
    writeFileSync(join(outdir, 'bomb.pdf'), blankPagesPdf(20_000));
    writeFileSync(join(outdir, 'good.pdf'), good.bytes);
    const r = spawnSync(process.execPath, ['index.mjs', 'bomb.pdf', 'good.pdf'], {
      cwd: outdir,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.stderr).toBe('');
    const lines = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as unknown);
    expect(lines).toEqual([
      { reason: 'too-complex', message: expect.stringMatching(/has 20,000 pages/) },
      { caseNumber: good.spec.caseNumber },
    ]);
  });
});
