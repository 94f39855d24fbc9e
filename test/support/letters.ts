import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** ../shared beside the checkout: real letters the tests read in place and never copy. */
export const SHARED = resolve(import.meta.dirname, '../../../shared');
export const CORPUS_DIR = join(SHARED, 'corpus/pdf');
export const SEEDS_DIR = join(SHARED, 'seeds');

if (!existsSync(CORPUS_DIR) || !existsSync(SEEDS_DIR)) {
  // A missing corpus must fail the run, never skip it: CI always has ../shared beside the checkout.
  throw new Error(
    `The letters in ${SHARED} are missing: clone the project with ../shared beside it.`,
  );
}

/** Absolute paths of the 120 corpus PDFs, sorted. */
export const corpusPdfs = (): string[] =>
  readdirSync(CORPUS_DIR)
    .filter((f) => f.endsWith('.pdf'))
    .sort()
    .map((f) => join(CORPUS_DIR, f));

/** Absolute paths of the five seed letters (text), sorted. */
export const seedTexts = (): string[] =>
  readdirSync(SEEDS_DIR)
    .filter((f) => f.endsWith('.txt'))
    .sort()
    .map((f) => join(SEEDS_DIR, f));
