import { relative } from 'node:path';
import {
  cachePath,
  CORPUS_DIR,
  GET_LETTERS,
  LETTERS_CACHE,
  missingLetters,
  readManifest,
  SEEDS_DIR,
} from '../letters/manifest.ts';

export { CORPUS_DIR, SEEDS_DIR };

const letters = readManifest();
const absent = missingLetters(letters);

/** Whether every letter of test/letters/manifest.json is in the cache (.letters/). */
export const HAVE_LETTERS = absent.length === 0;

const ci = process.env.CI !== undefined && !['', '0', 'false'].includes(process.env.CI);
if (!HAVE_LETTERS && ci) {
  // CI must test against the letters: a run without them fails rather than passing on less.
  throw new Error(
    `${absent.length} of the ${letters.length} letters the tests read are not in ` +
      `${relative(process.cwd(), LETTERS_CACHE)}/: place them with "${GET_LETTERS}" ` +
      '(see docs/TESTING.md).',
  );
}

/** Absolute paths of the 120 corpus PDFs in the cache, sorted. */
export const corpusPdfs = (): string[] =>
  letters
    .filter((l) => l.kind === 'pdf')
    .map(cachePath)
    .sort();

/** Absolute paths of the five seed letters (text) in the cache, sorted. */
export const seedTexts = (): string[] =>
  letters
    .filter((l) => l.kind === 'seed')
    .map(cachePath)
    .sort();
