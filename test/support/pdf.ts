import { createHash } from 'node:crypto';
import { assemblePdf, renderPdf } from '../../synthetic/pdf.ts';

/** A minimal one-page PDF with the given content stream (empty: a page with no text layer). */
export function minimalPdf(content: string): Uint8Array {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  return assemblePdf(objects);
}

/** A PDF whose pages show the given lines of text, without page footers. */
export function textPdf(lines: readonly string[]): Uint8Array {
  return renderPdf(lines, { pageFooter: false });
}

/** The standard security handler's password padding (PDF 1.7, 7.6.3.3). */
export const PASSWORD_PADDING = Buffer.from(
  '28bf4e5e4e758a4164004e56fffa01082e2e00b6d0683e802f0ca9fe6453697a',
  'hex',
);

export function rc4(key: Uint8Array, data: Uint8Array): Buffer {
  const s = Array.from({ length: 256 }, (_, i) => i);
  for (let i = 0, j = 0; i < 256; i++) {
    j = (j + s[i]! + key[i % key.length]!) & 255;
    [s[i], s[j]] = [s[j]!, s[i]!];
  }
  const out = Buffer.alloc(data.length);
  for (let n = 0, i = 0, j = 0; n < data.length; n++) {
    i = (i + 1) & 255;
    j = (j + s[i]!) & 255;
    [s[i], s[j]] = [s[j]!, s[i]!];
    out[n] = data[n]! ^ s[(s[i]! + s[j]!) & 255]!;
  }
  return out;
}

/**
 * A PDF encrypted (standard handler, revision 2) with a non-empty user password: no reader
 * can open it without the password. Built by hand because no encryption tool is installed.
 */
export function passwordPdf(userPassword: string): Uint8Array {
  const pad = (pw: string): Buffer =>
    Buffer.concat([Buffer.from(pw, 'latin1'), PASSWORD_PADDING]).subarray(0, 32);
  const md5 = (...parts: Uint8Array[]): Buffer => {
    const h = createHash('md5');
    for (const p of parts) h.update(p);
    return h.digest();
  };
  const id = Buffer.from('0123456789abcdef0123456789abcdef', 'hex');
  const permissions = Buffer.alloc(4);
  permissions.writeInt32LE(-4);
  const owner = rc4(md5(pad('owner')).subarray(0, 5), pad(userPassword));
  const key = md5(pad(userPassword), owner, permissions, id).subarray(0, 5);
  const user = rc4(key, PASSWORD_PADDING);
  const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
  const base = new TextDecoder().decode(minimalPdf(''));
  const encrypt = `/Encrypt << /Filter /Standard /V 1 /R 2 /O <${hex(owner)}> /U <${hex(user)}> /P -4 >> /ID [<${hex(id)}> <${hex(id)}>]`;
  return new TextEncoder().encode(base.replace('/Root 1 0 R', `/Root 1 0 R ${encrypt}`));
}
