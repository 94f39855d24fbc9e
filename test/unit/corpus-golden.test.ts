import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLetter, parseLetterText } from '../../shared/parser/parse-letter.ts';
import { GOLDEN_CORPUS, GOLDEN_PDFTOTEXT, GOLDEN_SEEDS } from '../fixtures/golden/letters.ts';
import { goldenView } from '../support/golden.ts';
import { CORPUS_DIR, HAVE_LETTERS, SEEDS_DIR } from '../support/letters.ts';

const goldenDir = join(import.meta.dirname, '../fixtures/golden');

async function check(path: string): Promise<void> {
  const name = path.split('/').pop()!;
  const golden: unknown = JSON.parse(
    await readFile(join(goldenDir, name.replace(/\.(pdf|txt)$/, '.json')), 'utf8'),
  );
  const parsed = await parseLetter(new Uint8Array(await readFile(path)), name);
  expect(goldenView(parsed)).toEqual(golden);
}

// Each golden file was checked by hand against its letter; see test/fixtures/golden/update.ts.
describe('golden Determinations', () => {
  it.skipIf(!HAVE_LETTERS).each(GOLDEN_CORPUS.map((c) => [c]))(
    'corpus letter %s',
    async (caseNumber) => {
      await check(join(CORPUS_DIR, `${caseNumber}.pdf`));
    },
  );
  it.skipIf(!HAVE_LETTERS).each(GOLDEN_SEEDS.map((s) => [s]))('seed letter %s', async (seed) => {
    await check(join(SEEDS_DIR, seed));
  });

  // pdftotext emits the header's labels first and their values after them, in separate runs.
  it.skipIf(!HAVE_LETTERS).each(GOLDEN_PDFTOTEXT.map((c) => [c]))(
    'corpus letter %s as pdftotext text',
    async (caseNumber) => {
      const text = execFileSync(
        'pdftotext',
        ['-enc', 'UTF-8', join(CORPUS_DIR, `${caseNumber}.pdf`), '-'],
        {
          encoding: 'utf8',
        },
      );
      expect(text).toMatch(/Case Number:\s*\n\s*Date Assigned:/);
      const golden: unknown = JSON.parse(
        await readFile(join(goldenDir, `${caseNumber}.pdftotext.json`), 'utf8'),
      );
      expect(goldenView(parseLetterText(text, `${caseNumber}.txt`))).toEqual(golden);
    },
  );

  it('covers at least 25 corpus letters and all five seeds', () => {
    expect(GOLDEN_CORPUS.length).toBeGreaterThanOrEqual(25);
    expect(GOLDEN_SEEDS).toHaveLength(5);
  });
});
