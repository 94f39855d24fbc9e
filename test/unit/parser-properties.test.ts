import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LetterFormatError } from '../../shared/errors.ts';
import { parseLetter, parseLetterText } from '../../shared/parser/parse-letter.ts';
import { corpusPdfs, HAVE_LETTERS, seedTexts } from '../support/letters.ts';

// Whatever arrives, the parser answers with a Determination or a LetterFormatError, quickly:
// anything else would reach the ingest function as an unexplained crash or a stuck invocation.
// The bounds catch runaway work (catastrophic backtracking, a pdf.js loop), not speed, so they
// sit far above the few milliseconds an input takes; speed is measured by npm run bench:parse.
const TEXT_BOUND_MS = 1000;
const PDF_BOUND_MS = 5000;

async function outcome(run: () => Promise<unknown>, boundMs: number): Promise<void> {
  const started = performance.now();
  try {
    await run();
  } catch (e) {
    if (!(e instanceof LetterFormatError)) throw e;
    expect(e.message.length).toBeGreaterThan(10);
  }
  expect(performance.now() - started).toBeLessThan(boundMs);
}

// Read only when the letters are there: the tests that use them skip otherwise.
const seedLines = HAVE_LETTERS
  ? seedTexts().map((p) => readFileSync(p, 'utf8').split(/\r?\n/))
  : [];
const pdfBytes = HAVE_LETTERS
  ? corpusPdfs()
      .slice(0, 6)
      .map((p) => new Uint8Array(readFileSync(p)))
  : [];

// Edits a PDF-to-text tool or a careless upload could make: lost, repeated or swapped lines,
// stray text, truncation, and the letter's own markers in the wrong places.
const lineEdit = fc.oneof(
  fc.record({ op: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('duplicate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('swap' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    op: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 80 }),
      fc.constantFrom(
        'Upheld',
        ': Overturned',
        'Decision rationale:',
        'MAXIMUS guideline:',
        'Claims Administrator guideline: Decision based on MTUS',
        'IMR ISSUES, DECISIONS AND RATIONALES',
        'CLINICAL CASE SUMMARY',
        'Case Number: CM16-1234567',
        'was the original request.',
        '\u0000\u0001',
      ),
    ),
  }),
);

function applyEdits(lines: string[], edits: { op: string; at: number; text?: string }[]): string {
  const out = [...lines];
  for (const e of edits) {
    if (out.length === 0) break;
    const i = e.at % out.length;
    if (e.op === 'delete') out.splice(i, 1);
    else if (e.op === 'duplicate') out.splice(i, 0, out[i]!);
    else if (e.op === 'swap' && i + 1 < out.length) [out[i], out[i + 1]] = [out[i + 1]!, out[i]!];
    else if (e.op === 'truncate') out.length = i;
    else if (e.op === 'insert') out.splice(i, 0, e.text ?? '');
  }
  return out.join('\n');
}

describe('parser robustness (property-based)', () => {
  it('answers arbitrary bytes with a Determination or a LetterFormatError', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 4096 }), async (bytes) => {
        await outcome(() => parseLetter(bytes, 'random.bin'), TEXT_BOUND_MS);
      }),
      { numRuns: 300 },
    );
  });

  it('answers arbitrary text with a Determination or a LetterFormatError', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 3000 }), (text) => {
        const started = performance.now();
        try {
          parseLetterText(text, 'random.txt');
        } catch (e) {
          if (!(e instanceof LetterFormatError)) throw e;
        }
        expect(performance.now() - started).toBeLessThan(TEXT_BOUND_MS);
      }),
      { numRuns: 300 },
    );
  });

  it.skipIf(!HAVE_LETTERS)(
    'answers mutated real letters with a valid Determination or a LetterFormatError',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 0, max: seedLines.length - 1 }),
          fc.array(lineEdit, { minLength: 1, maxLength: 8 }),
          async (seed, edits) => {
            const text = applyEdits(seedLines[seed]!, edits);
            await outcome(async () => {
              const d = parseLetterText(text, 'mutated.txt');
              // Whatever survives must still be internally consistent.
              expect(d.issues.map((i) => i.ordinal)).toEqual(d.issues.map((_, k) => k + 1));
              for (const issue of d.issues) expect(issue.request.trim()).not.toBe('');
            }, TEXT_BOUND_MS);
          },
        ),
        { numRuns: 400 },
      );
    },
  );

  it.skipIf(!HAVE_LETTERS)(
    'answers damaged real PDFs with a Determination or a LetterFormatError',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 0, max: pdfBytes.length - 1 }),
          fc.oneof(
            fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
            fc.record({
              kind: fc.constant('flip' as const),
              flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
                minLength: 1,
                maxLength: 20,
              }),
            }),
          ),
          async (which, damage) => {
            const original = pdfBytes[which]!;
            let bytes: Uint8Array;
            if (damage.kind === 'truncate') bytes = original.slice(0, damage.at % original.length);
            else {
              bytes = original.slice();
              for (const [at, value] of damage.flips) bytes[at % bytes.length] = value;
            }
            await outcome(() => parseLetter(bytes, 'damaged.pdf'), PDF_BOUND_MS);
          },
        ),
        { numRuns: 150 },
      );
    },
  );
});
