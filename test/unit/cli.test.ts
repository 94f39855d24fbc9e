import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { determinationSchema } from '../../shared/record/determination.ts';
import { CORPUS_DIR, HAVE_LETTERS, SEEDS_DIR } from '../support/letters.ts';

const ROOT = resolve(import.meta.dirname, '../..');

function imr(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/imr.js'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('imr parse', () => {
  it.skipIf(!HAVE_LETTERS)(
    'prints one line per input in input order, errors in place, and exits 1 on any failure',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'imr-cli-'));
      const notALetter = join(dir, 'notes.txt');
      writeFileSync(notALetter, 'Shopping list: eggs, milk');
      const inputs = [
        join(CORPUS_DIR, 'CM16-0248698.pdf'),
        notALetter,
        join(dir, 'missing.pdf'),
        join(SEEDS_DIR, '000_fb2a62c7afd25a6e.txt'),
      ];
      const r = imr('parse', ...inputs);
      expect(r.status).toBe(1);
      const lines = r.stdout
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines.map((l) => l.source)).toEqual(inputs);
      expect(determinationSchema.parse(lines[0]).issues).toHaveLength(21);
      expect(lines[1]!.error).toMatch(/not a recognised IMR final determination letter/);
      expect(lines[2]!.error).toMatch(/no such file/);
      expect(determinationSchema.parse(lines[3]).layout).toBe('body-only');
      // Not a terminal: no progress line.
      expect(r.stderr).not.toMatch(/parsed \d+\//);
    },
  );

  it.skipIf(!HAVE_LETTERS)(
    'parses the whole corpus and the seeds in one call: 125 Determinations, exit 0',
    () => {
      // A directory stands for the letters inside it; the corpus is given twice to show many
      // files in one call keep their order.
      const r = imr('parse', CORPUS_DIR, SEEDS_DIR, CORPUS_DIR);
      expect(r.status).toBe(0);
      const lines = r.stdout
        .trimEnd()
        .split('\n')
        .map((l) => determinationSchema.parse(JSON.parse(l)));
      expect(lines).toHaveLength(245);
      expect(lines[0]!.caseNumber).toBe('CM16-0213037');
      expect(lines[125]!.caseNumber).toBe('CM16-0213037');
    },
  );

  it('explains itself', () => {
    const help = imr('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/imr parse FILE\|DIR/);
    expect(imr('parse', '--help').stdout).toMatch(/one JSON line per\s+input/);
    const none = imr('parse');
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/no files given/);
    const unknown = imr('frobnicate');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command "frobnicate"/);
  });
});

describe('imr receipts', () => {
  it('explains itself and rejects bad usage before looking for a stack', () => {
    const help = imr('receipts', '--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/imr receipts \[--org NAME\] \[--failed\] \[--since DATE\]/);
    expect(help.stdout).toMatch(/imr receipts rollup \[--date YYYY-MM-DD\]/);
    expect(imr('--help').stdout).toMatch(/imr receipts/);
    const bad = imr('receipts', '--since', 'last week');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--since "last week" must be a day/);
  });
});
