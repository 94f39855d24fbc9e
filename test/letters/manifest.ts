import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';

// The real letters are third-party documents kept out of git: this manifest names them and pins
// their bytes, and `npm run letters -- --from DIR` copies verified copies into LETTERS_CACHE.
// See docs/TESTING.md.

const ROOT = resolve(import.meta.dirname, '../..');
export const MANIFEST_PATH = join(ROOT, 'test/letters/manifest.json');
/** The ignored folder the tests and benches read the letters from. */
export const LETTERS_CACHE = join(ROOT, '.letters');
export const CORPUS_DIR = join(LETTERS_CACHE, 'pdf');
export const SEEDS_DIR = join(LETTERS_CACHE, 'seeds');
/** The command that fills the cache, for messages. */
export const GET_LETTERS = 'npm run letters -- --from DIR';

const content = {
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.number().int().positive(),
};
// A corpus PDF is named by its case number, a seed by its file name.
const letterSchema = z.discriminatedUnion('kind', [
  z.strictObject({ name: z.string().regex(/^CM\d{2}-\d{7}$/), kind: z.literal('pdf'), ...content }),
  z.strictObject({ name: z.string().regex(/^[\w-]+\.txt$/), kind: z.literal('seed'), ...content }),
]);
export const manifestSchema = z.strictObject({
  letters: z
    .array(letterSchema)
    .min(1)
    .refine((ls) => new Set(ls.map((l) => `${l.kind}:${l.name}`)).size === ls.length, {
      message: 'a letter is listed twice',
    }),
});
export type Letter = z.infer<typeof letterSchema>;
export type Manifest = z.infer<typeof manifestSchema>;

/** The letters the tests use, as test/letters/manifest.json lists them. */
export const readManifest = (): Letter[] =>
  manifestSchema.parse(JSON.parse(readFileSync(MANIFEST_PATH, 'utf8'))).letters;

/** The file name a letter has in the cache and in a folder of letters. */
export const fileName = (l: Letter): string => (l.kind === 'pdf' ? `${l.name}.pdf` : l.name);

/** Where a letter sits in the cache. */
export const cachePath = (l: Letter): string =>
  join(l.kind === 'pdf' ? CORPUS_DIR : SEEDS_DIR, fileName(l));

/** A file's sha256 in hex, as the manifest records it. */
export const sha256 = (bytes: Uint8Array): string =>
  createHash('sha256').update(bytes).digest('hex');

/** Whether the cache holds the letter's bytes: its size, then its sha256 (a few ms for all). */
const cached = (l: Letter): boolean => {
  if (statSync(cachePath(l), { throwIfNoEntry: false })?.size !== l.bytes) return false;
  return sha256(readFileSync(cachePath(l))) === l.sha256;
};

/** The letters of the manifest not in the cache with their size and sha256. */
export const missingLetters = (letters: readonly Letter[] = readManifest()): Letter[] =>
  letters.filter((l) => !cached(l));
