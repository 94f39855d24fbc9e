import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

// npm run letters and the cache check, run in a copy of the repository's layout (scripts/,
// test/letters/) with a manifest of two made-up letters, so nothing touches the real cache.

const ROOT = resolve(import.meta.dirname, '../..');
const PDF = Buffer.from('%PDF-1.4 a made-up letter\n');
const SEED = Buffer.from('A made-up seed letter.\n');
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

let root: string;
let from: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'imr-letters-'));
  mkdirSync(join(root, 'scripts'));
  mkdirSync(join(root, 'test/letters'), { recursive: true });
  cpSync(join(ROOT, 'scripts/letters.ts'), join(root, 'scripts/letters.ts'));
  mkdirSync(join(root, 'cli'));
  cpSync(join(ROOT, 'cli/command.ts'), join(root, 'cli/command.ts'));
  cpSync(join(ROOT, 'test/letters/manifest.ts'), join(root, 'test/letters/manifest.ts'));
  symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'));
  writeFileSync(
    join(root, 'test/letters/manifest.json'),
    JSON.stringify({
      letters: [
        { name: 'CM16-0000001', kind: 'pdf', sha256: sha256(PDF), bytes: PDF.length },
        { name: 'seed-one.txt', kind: 'seed', sha256: sha256(SEED), bytes: SEED.length },
      ],
    }),
  );
  from = join(root, 'from');
  mkdirSync(join(from, 'seeds'), { recursive: true });
  writeFileSync(join(from, 'seeds/seed-one.txt'), SEED);
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

const tsx = (args: string[]) =>
  spawnSync(join(root, 'node_modules/.bin/tsx'), args, { cwd: root, encoding: 'utf8' });
const letters = (...args: string[]) => tsx(['scripts/letters.ts', ...args]);
const missing = (): string => {
  const r = tsx([
    '-e',
    "import { missingLetters } from './test/letters/manifest.ts'; " +
      'console.log(missingLetters().map((l) => l.name).join(","));',
  ]);
  expect(r.stderr).toBe('');
  return r.stdout.trim();
};

describe('npm run letters', () => {
  it('places the letters when DIR also holds a dangling symlink', () => {
    mkdirSync(join(from, 'corpus/pdf'), { recursive: true });
    writeFileSync(join(from, 'corpus/pdf/CM16-0000001.pdf'), PDF);
    symlinkSync(join(root, 'nowhere'), join(from, 'corpus/pdf/broken.pdf'));
    const r = letters('--from', from);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(readFileSync(join(root, '.letters/pdf/CM16-0000001.pdf'))).toEqual(PDF);
  });

  it('finds letters in a symlinked folder below DIR', () => {
    const elsewhere = join(root, 'elsewhere');
    mkdirSync(join(elsewhere, 'pdf'), { recursive: true });
    writeFileSync(join(elsewhere, 'pdf/CM16-0000001.pdf'), PDF);
    symlinkSync(elsewhere, join(from, 'corpus'));
    const r = letters('--from', from);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('placed 2, already there 0, missing 0, mismatched 0');
  });
});

describe('npm run letters run several times at once', () => {
  it("places every letter in each run, none failing on another run's copy", async () => {
    // Enough letters that the runs copy the same files at the same time.
    const many = Array.from({ length: 1000 }, (_, i) => {
      const bytes = Buffer.alloc(20_000, i % 251);
      bytes.write(`letter ${i}`);
      return { name: `seed-${i}.txt`, bytes };
    });
    for (const l of many) writeFileSync(join(from, 'seeds', l.name), l.bytes);
    writeFileSync(
      join(root, 'test/letters/manifest.json'),
      JSON.stringify({
        letters: many.map((l) => ({
          name: l.name,
          kind: 'seed',
          sha256: sha256(l.bytes),
          bytes: l.bytes.length,
        })),
      }),
    );
    const run = (): Promise<{ status: number | null; stderr: string }> =>
      new Promise((done) => {
        const child = spawn(
          join(root, 'node_modules/.bin/tsx'),
          ['scripts/letters.ts', '--from', from],
          { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] },
        );
        let stderr = '';
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.on('close', (status) => done({ status, stderr }));
      });
    const runs = await Promise.all([run(), run(), run(), run()]);
    expect(runs).toEqual(runs.map(() => ({ status: 0, stderr: '' })));
    for (const l of many) {
      expect(readFileSync(join(root, '.letters/seeds', l.name)).equals(l.bytes)).toBe(true);
    }
  }, 120_000);
});

describe('the manifest', () => {
  it('names each letter once', async () => {
    const { manifestSchema } = await import('../letters/manifest.ts');
    const letter = { name: 'CM16-0000001', kind: 'pdf', sha256: sha256(PDF), bytes: PDF.length };
    expect(manifestSchema.safeParse({ letters: [letter] }).success).toBe(true);
    const other = { ...letter, sha256: sha256(SEED), bytes: SEED.length };
    expect(manifestSchema.safeParse({ letters: [letter, other] }).success).toBe(false);
  });
});

describe('the cache check (HAVE_LETTERS)', () => {
  it('counts a cached letter changed in place at its size as missing', () => {
    mkdirSync(join(from, 'corpus/pdf'), { recursive: true });
    writeFileSync(join(from, 'corpus/pdf/CM16-0000001.pdf'), PDF);
    expect(letters('--from', from).status).toBe(0);
    expect(missing()).toBe('');
    const altered = Buffer.from(PDF);
    altered[altered.length - 2] = 'b'.charCodeAt(0);
    writeFileSync(join(root, '.letters/pdf/CM16-0000001.pdf'), altered);
    expect(missing()).toBe('CM16-0000001');
  });
});
