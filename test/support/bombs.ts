import { createDeflate } from 'node:zlib';
import { assemblePdf } from '../../synthetic/pdf.ts';

// PDF bombs, generated (never stored): small files that cost a reader far more than their size.

const CHUNK = 1 << 20;

/**
 * A one-page PDF whose content stream (FlateDecode) inflates to `inflatedBytes` of text-drawing
 * operators: a few hundred KB on disk per 64 MiB inflated.
 */
export async function deflateBombPdf(inflatedBytes: number): Promise<Uint8Array> {
  const op = 'BT /F1 9 Tf 72 720 Td (IMR Atlas bomb) Tj ET\n';
  const chunk = Buffer.from(op.repeat(Math.ceil(CHUNK / op.length)).slice(0, CHUNK), 'latin1');
  const deflate = createDeflate({ level: 9 });
  const parts: Buffer[] = [];
  deflate.on('data', (b: Buffer) => parts.push(b));
  const done = new Promise((resolve, reject) => {
    deflate.on('end', resolve);
    deflate.on('error', reject);
  });
  for (let left = inflatedBytes; left > 0; left -= CHUNK) {
    const piece = left >= CHUNK ? chunk : chunk.subarray(0, left);
    if (!deflate.write(piece)) await new Promise((r) => deflate.once('drain', r));
  }
  deflate.end();
  await done;
  const stream = Buffer.concat(parts).toString('latin1');
  return assemblePdf([
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${stream.length} /Filter /FlateDecode >>\nstream\n${stream}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ]);
}

/** A PDF of `pages` blank pages (20,000 make about 3 MB). */
export function blankPagesPdf(pages: number): Uint8Array {
  const ids = Array.from({ length: pages }, (_, i) => i + 3);
  return assemblePdf([
    '<< /Type /Catalog /Pages 2 0 R >>',
    `<< /Type /Pages /Kids [${ids.map((id) => `${id} 0 R`).join(' ')}] /Count ${pages} >>`,
    ...ids.map(() => '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>'),
  ]);
}
