// Run as a separate process by test/unit/pdf-damage.test.ts: parses deterministic corruptions of
// corpus PDFs and prints how each ended. A crash (exit code != 0) is what the test looks for.
import { readFileSync } from 'node:fs';
import { LetterFormatError } from '../../shared/errors.ts';
import { parseLetter } from '../../shared/parser/parse-letter.ts';
import { corpusPdfs } from './letters.ts';

const RUNS = Number(process.argv[2] ?? 200);
const originals = corpusPdfs()
  .slice(0, 6)
  .map((p) => new Uint8Array(readFileSync(p)));
let seed = 1;
const next = (): number => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed;
};
const counts = { parsed: 0, rejected: 0 };
for (let run = 0; run < RUNS; run++) {
  const bytes = originals[run % originals.length]!.slice();
  const flips = 1 + (next() % 20);
  for (let k = 0; k < flips; k++) bytes[next() % bytes.length] = next() % 256;
  try {
    await parseLetter(bytes, `damaged-${run}.pdf`);
    counts.parsed++;
  } catch (e) {
    if (!(e instanceof LetterFormatError)) throw e;
    counts.rejected++;
  }
  // Let pdf.js's stray internal promises settle inside this run.
  await new Promise((resolve) => setTimeout(resolve, 2));
}
process.stdout.write(`${JSON.stringify(counts)}\n`);
