/**
 * A small PDF writer for synthetic letters: lines of text in Helvetica (WinAnsi encoding), a
 * fixed number of lines per page, a "Page i of n" footer, and a correct cross-reference table.
 * No compression and no fonts to embed (Helvetica is one of the 14 standard fonts), so the output
 * is deterministic and readable in a text editor.
 */

export interface PdfOptions {
  /** Text lines per page before a new page starts (a line "\f" also starts one). Default 55. */
  linesPerPage?: number;
  /** Font size in points; lines are 1.25 times as far apart. Default 10. */
  fontSize?: number;
  /** Document title, stored in the Info dictionary (never an author: docs/DOMAIN.md, Privacy). */
  title?: string;
  /** Print "Page i of n" at the foot of each page. Default true. */
  pageFooter?: boolean;
}

const PAGE_WIDTH = 612;
const PAGE_HEIGHT = 792;
const MARGIN_LEFT = 54;
const MARGIN_TOP = 54;
const FOOTER_Y = 30;

// WinAnsiEncoding differs from Latin-1 only in 0x80-0x9F; these are the characters a letter may
// carry there. Anything outside WinAnsi is written as "?".
const WIN_ANSI_EXTRA: Readonly<Record<string, number>> = {
  '€': 0x80,
  '‚': 0x82,
  ƒ: 0x83,
  '„': 0x84,
  '…': 0x85,
  '†': 0x86,
  '‡': 0x87,
  ˆ: 0x88,
  '‰': 0x89,
  Š: 0x8a,
  '‹': 0x8b,
  Œ: 0x8c,
  Ž: 0x8e,
  '‘': 0x91,
  '’': 0x92,
  '“': 0x93,
  '”': 0x94,
  '•': 0x95,
  '–': 0x96,
  '—': 0x97,
  '˜': 0x98,
  '™': 0x99,
  š: 0x9a,
  '›': 0x9b,
  œ: 0x9c,
  ž: 0x9e,
  Ÿ: 0x9f,
};

/** A PDF string literal in WinAnsi: parentheses and backslashes escaped, other bytes as octal. */
export function pdfString(text: string): string {
  let out = '(';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    let byte: number;
    if (code >= 0x20 && code < 0x7f) byte = code;
    else if (code >= 0xa0 && code <= 0xff) byte = code;
    else if (ch === '\t') byte = 0x20;
    else byte = WIN_ANSI_EXTRA[ch] ?? 0x3f;
    if (byte === 0x28 || byte === 0x29 || byte === 0x5c) out += `\\${String.fromCharCode(byte)}`;
    else if (byte < 0x80) out += String.fromCharCode(byte);
    else out += `\\${byte.toString(8).padStart(3, '0')}`;
  }
  return `${out})`;
}

/** Splits lines into pages of at most `size` lines, also breaking at "\f" lines. */
function paginate(lines: readonly string[], size: number): string[][] {
  const pages: string[][] = [[]];
  for (const line of lines) {
    let page = pages[pages.length - 1]!;
    if (line === '\f') {
      if (page.length > 0) pages.push([]);
      continue;
    }
    if (page.length >= size) {
      page = [];
      pages.push(page);
    }
    page.push(line.replace(/[\r\n\f]/g, ''));
  }
  return pages;
}

function pageContent(lines: readonly string[], footer: string | null, fontSize: number): string {
  const leading = +(fontSize * 1.25).toFixed(2);
  const ops = [
    'BT',
    `/F1 ${fontSize} Tf`,
    `${leading} TL`,
    `${MARGIN_LEFT} ${PAGE_HEIGHT - MARGIN_TOP} Td`,
  ];
  lines.forEach((line, i) => {
    if (i > 0) ops.push('T*');
    if (line !== '') ops.push(`${pdfString(line)} Tj`);
  });
  ops.push('ET');
  if (footer !== null) {
    const x = Math.round(PAGE_WIDTH / 2 - footer.length * fontSize * 0.22);
    ops.push(
      'BT',
      `/F1 ${fontSize - 1} Tf`,
      `${x} ${FOOTER_Y} Td`,
      `${pdfString(footer)} Tj`,
      'ET',
    );
  }
  return ops.join('\n');
}

/** Lays out lines of text as a multi-page PDF (see PdfOptions for the layout). */
export function renderPdf(lines: readonly string[], options: PdfOptions = {}): Uint8Array {
  const perPage = options.linesPerPage ?? 55;
  const fontSize = options.fontSize ?? 10;
  if (!Number.isInteger(perPage) || perPage < 1) throw new RangeError('linesPerPage must be ≥ 1');
  const pages = paginate(lines, perPage);

  // Objects in order: catalog, page tree, font, info, then a page and its content per page.
  const objects: string[] = [];
  const pageIds = pages.map((_, i) => 5 + 2 * i);
  objects.push('<< /Type /Catalog /Pages 2 0 R >>');
  objects.push(
    `<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(' ')}] /Count ${pages.length} >>`,
  );
  objects.push('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>');
  const info = [`/Producer ${pdfString('IMR Atlas')}`];
  if (options.title !== undefined) info.unshift(`/Title ${pdfString(options.title)}`);
  objects.push(`<< ${info.join(' ')} >>`);
  pages.forEach((page, i) => {
    const footer = options.pageFooter === false ? null : `Page ${i + 1} of ${pages.length}`;
    const content = pageContent(page, footer, fontSize);
    objects.push(
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${PAGE_WIDTH} ${PAGE_HEIGHT}] ` +
        `/Resources << /Font << /F1 3 0 R >> >> /Contents ${pageIds[i]! + 1} 0 R >>`,
    );
    // Content is ASCII (pdfString escapes the rest), so its length in characters is in bytes.
    objects.push(`<< /Length ${content.length} >>\nstream\n${content}\nendstream`);
  });

  return assemblePdf(objects, '/Info 4 0 R');
}

/**
 * A PDF file from its objects (numbered from 1; object 1 is the catalog): header, bodies, the
 * cross-reference table with each object's byte offset, and the trailer.
 */
export function assemblePdf(objects: readonly string[], trailerExtra = ''): Uint8Array {
  // The second line's high bytes tell transfer tools the file is binary (PDF 1.4, 7.5.2).
  let out = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  out += offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('');
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R ${trailerExtra}>>\n`;
  out += `startxref\n${xref}\n%%EOF\n`;
  // Every character is below 256, so Latin-1 writes one byte per character and offsets hold.
  return new Uint8Array(Buffer.from(out, 'latin1'));
}
