import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { LetterFormatError } from '../../shared/errors.ts';
import { readLetterText } from '../../shared/parser/extract-text.ts';
import { PARSE_LIMITS } from '../../shared/parser/limits.ts';
import { ParseSandbox } from '../../shared/parser/parse-sandbox.ts';
import { assemblePdf } from '../../synthetic/pdf.ts';
import { imagePdf } from '../../synthetic/scan.ts';

// A PDF is read by OCR (seconds a page) only when it is a scan: a text layer too thin to be a
// letter, and its pages mostly covered by images at a scanner's resolution. Anything else is
// read as text (milliseconds), so a small file cannot hold the ingest for the scan deadline.

const SCAN = 'read by OCR';

/** Whether readLetterText takes the PDF for a scan (stopped before any OCR), else its error. */
async function detect(pdf: Uint8Array): Promise<string> {
  const outcome = await readLetterText(pdf, 'x.pdf', PARSE_LIMITS, {
    onScan: () => {
      throw new Error(SCAN);
    },
  }).catch((e: unknown) => e);
  if (outcome instanceof LetterFormatError) return outcome.reason;
  if (outcome instanceof Error) return outcome.message;
  return 'text';
}

const letterPage = (content: string, xobject: string): string =>
  `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents ${content} /Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> /XObject << /Im0 ${xobject} >> >> >>`;

/** Letter-size pages, each showing one grey image of `px` pixels square drawn `pt` points square. */
function imagePages(pages: number, px: number, ptWide: number, ptHigh = ptWide): Uint8Array {
  const content = `q ${ptWide} 0 0 ${ptHigh} 0 0 cm /Im0 Do Q`;
  const image = deflateSync(Buffer.alloc(px * px, 128)).toString('latin1');
  const kids = Array.from({ length: pages }, (_, i) => `${5 + i} 0 R`).join(' ');
  return assemblePdf([
    '<< /Type /Catalog /Pages 2 0 R >>',
    `<< /Type /Pages /Kids [${kids}] /Count ${pages} >>`,
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    `<< /Type /XObject /Subtype /Image /Width ${px} /Height ${px} /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode /Length ${image.length} >>\nstream\n${image}\nendstream`,
    ...Array.from({ length: pages }, () => letterPage('3 0 R', '4 0 R')),
  ]);
}

/**
 * A PDF that only looks like a scan: every page is rows of digits in 6 pt Helvetica (no letters)
 * and an 8x8 image. About 5 KB for 20 pages; OCR would take 20 s a page on it.
 */
function digitPages(pages: number): Uint8Array {
  const lines = ['q 8 0 0 8 0 0 cm /Im0 Do Q', 'BT /F1 6 Tf 7 TL 20 780 Td'];
  for (let y = 0; y < 108; y++) lines.push(`(${'8 3 0 6 9 5 2 4 7 1 '.repeat(14)}) '`);
  lines.push('ET');
  const text = deflateSync(lines.join('\n')).toString('latin1');
  const image = deflateSync(Buffer.alloc(64, 0)).toString('latin1');
  const kids = Array.from({ length: pages }, (_, i) => `${5 + i} 0 R`).join(' ');
  return assemblePdf([
    '<< /Type /Catalog /Pages 2 0 R >>',
    `<< /Type /Pages /Kids [${kids}] /Count ${pages} >>`,
    `<< /Length ${text.length} /Filter /FlateDecode >>\nstream\n${text}\nendstream`,
    `<< /Type /XObject /Subtype /Image /Width 8 /Height 8 /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode /Length ${image.length} >>\nstream\n${image}\nendstream`,
    ...Array.from({ length: pages }, () => letterPage('3 0 R', '4 0 R')),
  ]);
}

describe('a PDF is a scan only when images cover its pages at a scanner resolution', () => {
  it('takes image-only pages at 200 dpi for a scan', async () => {
    const page = { width: 1700, height: 2200, pixels: new Uint8Array(1700 * 2200).fill(200) };
    expect(await detect(imagePdf([page, page], 200))).toBe(SCAN);
  });

  it('takes an image over 60% of the page at 150 dpi for a scan', async () => {
    // 612 x 475 points is 60% of a letter page; 1,275 pixels across 612 points is 150 dpi.
    expect(await detect(imagePages(2, 1275, 612, 475))).toBe(SCAN);
  });

  it('does not take a page under half covered by an image for a scan', async () => {
    // 612 x 356 points is 45% of the page.
    expect(await detect(imagePages(2, 1275, 612, 356))).toBe('pdf-no-text');
  });

  it('does not take a page-size image at fewer than 96 dpi (a stretched dot) for a scan', async () => {
    expect(await detect(imagePages(2, 8, 612, 792))).toBe('pdf-no-text');
    expect(await detect(imagePages(2, 700, 612, 792))).toBe('pdf-no-text');
  });

  it('does not take pages of digits with a small image for a scan: they have a text layer', async () => {
    const pdf = digitPages(20);
    expect(pdf.length).toBeLessThan(8 * 1024);
    expect(await detect(pdf)).toBe('pdf-no-text');
  });

  it("refuses 20 pages of digits and a dot within a text letter's deadline, not the scan's", async () => {
    const sandbox = new ParseSandbox();
    const started = Date.now();
    try {
      const error = await sandbox.parse(digitPages(20), 'digits.pdf').catch((e: unknown) => e);
      expect((error as LetterFormatError).reason).toBe('pdf-no-text');
    } finally {
      await sandbox.close();
    }
    expect(Date.now() - started).toBeLessThan(PARSE_LIMITS.wallMs);
  }, 120_000);
});
