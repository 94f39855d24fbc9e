import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LetterFormatError, type LetterFormatReason } from '../../shared/errors.ts';
import { extractText } from '../../shared/parser/extract-text.ts';
import { parseLetter } from '../../shared/parser/parse-letter.ts';
import { renderLetter } from '../../synthetic/render-letter.ts';
import { SPEC } from '../fixtures/synthetic-letter.ts';
import { CORPUS_DIR, HAVE_LETTERS } from '../support/letters.ts';
import { minimalPdf, passwordPdf, textPdf } from '../support/pdf.ts';

const encode = (s: string): Uint8Array => new TextEncoder().encode(s);

async function reason(
  bytes: Uint8Array,
  name = 'upload.pdf',
): Promise<[LetterFormatReason, string]> {
  try {
    await parseLetter(bytes, name);
  } catch (e) {
    if (e instanceof LetterFormatError) return [e.reason, e.message];
    throw e;
  }
  throw new Error('expected a LetterFormatError');
}

describe('documents that cannot hold a letter', () => {
  it('rejects an empty file', async () => {
    expect(await reason(new Uint8Array(), 'a.pdf')).toEqual([
      'empty',
      'a.pdf is empty (0 bytes): send the letter again.',
    ]);
  });

  it.skipIf(!HAVE_LETTERS)('rejects truncated and damaged PDFs as corrupt', async () => {
    const real = await readFile(join(CORPUS_DIR, 'CM16-0213037.pdf'));
    for (const bytes of [
      encode('%PDF-1.7\n'),
      new Uint8Array(real.subarray(0, 3000)),
      new Uint8Array(real.subarray(0, real.length / 2)),
    ]) {
      const [why, message] = await reason(bytes);
      expect(why).toBe('pdf-corrupt');
      expect(message).toMatch(/truncated or damaged/);
    }
  });

  it('rejects a PDF that needs a password, asking for a copy without one', async () => {
    expect(await reason(passwordPdf('secret'))).toEqual([
      'pdf-password',
      'upload.pdf is a password-protected PDF: send a copy without a password to open it.',
    ]);
  });

  it('rejects a PDF without a text layer as a scan', async () => {
    expect(await reason(minimalPdf(''))).toEqual([
      'pdf-no-text',
      'upload.pdf has no text layer: it is a scanned image; send the original PDF, not a scan.',
    ]);
  });

  it('rejects binary content that is neither PDF nor text', async () => {
    const bytes = Uint8Array.from({ length: 4000 }, (_, i) => (i * 7919) % 256);
    expect((await reason(bytes, 'photo.jpg'))[0]).toBe('binary');
  });

  it('rejects a PDF with text that is not a letter, saying what it found', async () => {
    const [why, message] = await reason(textPdf(['Quarterly sales report']));
    expect(why).toBe('unknown-layout');
    expect(message).toContain('found "Quarterly sales report"');
  });
});

describe('text input', () => {
  const letter = renderLetter(SPEC, { layout: 'full-letter' });

  it('reads UTF-8 with a byte-order mark and CRLF line endings', async () => {
    const text = `\uFEFF${letter.replace(/\n/g, '\r\n')}`;
    const d = await parseLetter(encode(text), 'letter.txt');
    expect(d.caseNumber).toBe('CM16-0000042');
    expect(d.issues).toHaveLength(3);
  });

  it('normalises typographic characters that PDF tools emit', async () => {
    const text = letter.replace(
      'Physical Medicine & Rehabilitation',
      'Physical\u00a0Medicine & Rehabilitation',
    );
    const d = await parseLetter(encode(text), 'letter.txt');
    expect(d.reviewer.specialties[0]).toBe('Physical Medicine & Rehabilitation');
  });

  it('returns the text of a PDF page by page', async () => {
    const text = await extractText(
      textPdf(['Case Number: CM16-0000042', 'Priority: Standard']),
      'x.pdf',
    );
    expect(text).toContain('Case Number: CM16-0000042');
  });

  it.skipIf(!HAVE_LETTERS)('does not detach the caller’s buffer', async () => {
    const bytes = new Uint8Array(await readFile(join(CORPUS_DIR, 'CM16-0213037.pdf')));
    await parseLetter(bytes, 'CM16-0213037.pdf');
    expect(bytes.byteLength).toBeGreaterThan(0);
    await expect(parseLetter(bytes, 'CM16-0213037.pdf')).resolves.toMatchObject({
      caseNumber: 'CM16-0213037',
    });
  });
});
