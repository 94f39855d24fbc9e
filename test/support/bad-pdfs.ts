import { createHash } from 'node:crypto';
import { assemblePdf } from '../../synthetic/pdf.ts';
import { PASSWORD_PADDING, rc4 } from './pdf.ts';

// PDFs that cannot become a letter, built byte by byte in the tests (no tool to make them is
// installed, and no fixture is copied in): a letter locked with a user password, and a scan.

function md5(...parts: Uint8Array[]): Buffer {
  const h = createHash('md5');
  for (const p of parts) h.update(p);
  return h.digest();
}

const pad = (password: string): Buffer =>
  Buffer.concat([Buffer.from(password, 'latin1'), PASSWORD_PADDING]).subarray(0, 32);

/**
 * `pdf` (as synthetic/pdf.ts writes it: uncompressed objects, one classic xref table)
 * encrypted with the standard security handler, revision 2 (RC4, 40-bit key), and user password
 * `userPassword`: every stream is encrypted with its object's key, as a real encrypted file, so
 * only the password opens it (PDF 1.7, 7.6.2, algorithms 1-4). The Info dictionary, whose strings
 * would need encrypting too, is dropped.
 */
export function encryptPdf(pdf: Uint8Array, userPassword: string): Uint8Array {
  const id = md5(pdf);
  const permissions = Buffer.alloc(4);
  permissions.writeInt32LE(-4);
  const owner = rc4(md5(pad(`owner-${userPassword}`)).subarray(0, 5), pad(userPassword));
  const fileKey = md5(pad(userPassword), owner, permissions, id).subarray(0, 5);
  const user = rc4(fileKey, PASSWORD_PADDING);

  const text = Buffer.from(pdf).toString('latin1');
  const objects: string[] = [];
  for (const m of text.matchAll(/(\d+) 0 obj\n([\s\S]*?)\nendobj\n/g)) {
    const number = Number(m[1]);
    let body = m[2]!;
    if (/^<< \/Producer|^<< \/Title/.test(body)) body = '<< >>';
    const stream = /^([\s\S]*?)stream\n([\s\S]*)\nendstream$/.exec(body);
    if (stream !== null) {
      const objectKey = md5(
        fileKey,
        Buffer.from([number & 255, (number >> 8) & 255, (number >> 16) & 255, 0, 0]),
      ).subarray(0, 10);
      const data = rc4(objectKey, Buffer.from(stream[2]!, 'latin1'));
      body = `${stream[1]!.replace(/\/Length \d+/, `/Length ${data.length}`)}stream\n${data.toString('latin1')}\nendstream`;
    }
    objects[number - 1] = body;
  }
  const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
  return assemblePdf(
    objects,
    `/Encrypt << /Filter /Standard /V 1 /R 2 /Length 40 /O <${hex(owner)}> /U <${hex(user)}> /P -4 >> /ID [<${hex(id)}> <${hex(id)}>] `,
  );
}

/**
 * A one-page "scan": the page shows a 200×260 greyscale image (an image XObject) and nothing
 * else, so it has no text layer.
 */
export function imageOnlyPdf(): Uint8Array {
  const width = 200;
  const height = 260;
  const pixels = Buffer.alloc(width * height);
  // Grey lines where text would be, so it looks like a scanned page.
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      pixels[y * width + x] = y % 12 < 3 && x > 20 && x < 180 ? 40 : 245;
    }
  }
  const content = `q 612 0 0 792 0 0 cm /Im1 Do Q`;
  return assemblePdf([
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /XObject << /Im1 5 0 R >> >> >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    `<< /Type /XObject /Subtype /Image /Width ${width} /Height ${height} /ColorSpace /DeviceGray /BitsPerComponent 8 /Length ${pixels.length} >>\nstream\n${pixels.toString('latin1')}\nendstream`,
  ]);
}
