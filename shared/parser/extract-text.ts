import { getResolvedPDFJS } from 'unpdf';
import type { TextSource } from '../record/index.ts';
import { LetterFormatError } from '../errors.ts';
import { PARSE_LIMITS, tooComplex, type ParseLimits } from './limits.ts';
import { repairOcrText } from './ocr-text.ts';
import { ocrPdf, pageTooLarge, type OcrOptions, type OcrResult } from './ocr.ts';

const PDF_MAGIC = '%PDF-';
// Letters are a few pages of text; a control character in the first 4 KB means a binary file.
const BINARY_PROBE = 4096;
// eslint-disable-next-line no-control-regex
const controlChars = /[\u0000-\u0008\u000e-\u001a]/;

/** True when the bytes start like a PDF (the magic may follow a little junk, as readers allow). */
export function looksLikePdf(bytes: Uint8Array): boolean {
  const head = Buffer.from(bytes.subarray(0, 1024)).toString('latin1');
  return head.includes(PDF_MAGIC);
}

/** A letter's text and how it was obtained. */
export interface LetterText {
  text: string;
  source: TextSource;
  /** For scans: what OCR read, with its confidence (the parser flags uncertain fields). */
  ocr?: OcrResult;
}

// A letter page holds 2,000 to 4,000 characters; a text layer with fewer than this many per page
// on average is not the letter (a scan with a stamp, a fax header or a few words of OCR junk).
// Every character counts, digits and any script included: a page of digits has a text layer.
const THIN_CHARACTERS_PER_PAGE = 100;
// A scanned page is an image over most of the page, at a scanner's resolution (office scanners
// 150-600 dpi, a standard fax 204 x 98). A logo, a stamp or a dot is not a scan, so a PDF of text
// with a small image is never sent to OCR, which costs seconds a page.
const SCAN_COVERAGE = 0.5;
const SCAN_MIN_DPI = 96;

/**
 * The letter's text, from PDF bytes (all pages, in reading order) or UTF-8 text; a PDF without
 * a text layer, or one too thin to be a letter (a scan), is read by OCR.
 * Throws LetterFormatError for what cannot hold a letter: empty, binary, corrupt or
 * password-protected PDFs, scans on which OCR reads nothing; `too-complex` beyond the page or
 * character limit, or a scan's limits (time and memory are bounded by the sandbox,
 * parse-sandbox.ts, which `options.onScan` tells that the letter is a scan).
 */
export async function readLetterText(
  bytes: Uint8Array,
  fileName: string,
  limits: ParseLimits = PARSE_LIMITS,
  options: OcrOptions = {},
): Promise<LetterText> {
  if (bytes.length === 0) {
    throw new LetterFormatError('empty', `${fileName} is empty (0 bytes): send the letter again.`);
  }
  if (!looksLikePdf(bytes)) {
    const text = decodeText(bytes, fileName);
    if (text.length > limits.characters)
      throw tooComplex(fileName, { limit: 'characters' }, limits);
    return { text, source: 'plain-text' };
  }
  const layer = await extractFromPdf(bytes, fileName, limits);
  if (!layer.scanned) {
    if (!/[A-Za-z]{3}/.test(layer.text)) {
      throw new LetterFormatError(
        'pdf-no-text',
        `${fileName} has no text layer: it is a scanned image; send the original PDF, not a scan.`,
      );
    }
    return { text: layer.text, source: 'pdf-text' };
  }
  options.onScan?.();
  const ocr = await ocrPdf(bytes, fileName, limits, options);
  if (!/[A-Za-z]{3}/.test(ocr.text)) {
    throw new LetterFormatError(
      'pdf-no-text',
      `${fileName} has no text layer: it is a scanned image, and OCR read no text on its pages; send the original PDF or a clearer scan.`,
    );
  }
  return { text: repairOcrText(ocr.text), source: 'ocr', ocr };
}

/** The letter's text alone (see readLetterText). */
export async function extractText(
  bytes: Uint8Array,
  fileName: string,
  limits: ParseLimits = PARSE_LIMITS,
  options: OcrOptions = {},
): Promise<string> {
  return (await readLetterText(bytes, fileName, limits, options)).text;
}

/** Decodes UTF-8 text (with or without a byte-order mark), refusing binary content. */
export function decodeText(bytes: Uint8Array, fileName: string): string {
  const text = new TextDecoder('utf-8', { fatal: false, ignoreBOM: false }).decode(bytes);
  const probe = text.slice(0, BINARY_PROBE);
  if (controlChars.test(probe) || probe.includes('\uFFFD\uFFFD\uFFFD')) {
    throw new LetterFormatError(
      'binary',
      `${fileName} is neither a PDF nor UTF-8 text: expected an IMR letter as a PDF or a text file.`,
    );
  }
  return text;
}

interface PdfJsError {
  name: string;
  message: string;
}

function isPdfJsError(e: unknown): e is PdfJsError {
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof (e as { name?: unknown }).name === 'string' &&
    typeof (e as { message?: unknown }).message === 'string'
  );
}

const PDFJS_SOURCE = '/unpdf/dist/pdfjs.mjs';
let guarded = false;

/**
 * pdf.js, opening a damaged file, starts internal work whose promises reject with nobody
 * listening, after the document promise itself has already failed (seen with the property
 * tests' corrupted PDFs). Node would crash the process on them. This listener drops only
 * rejections raised inside pdf.js's own code; anything else is rethrown, which keeps Node's
 * default of crashing on an unhandled rejection.
 */
function guardPdfJsRejections(): void {
  if (guarded) return;
  guarded = true;
  process.on('unhandledRejection', (reason) => {
    if (isPdfJsInternalError(reason)) return;
    throw reason;
  });
}

/** True for an error raised inside pdf.js's own code (see guardPdfJsRejections). */
function isPdfJsInternalError(reason: unknown): boolean {
  return reason instanceof Error && reason.stack?.includes(PDFJS_SOURCE) === true;
}

/** Counts non-space characters: what a page's text layer holds. */
function inked(text: string): number {
  return text.replace(/\s/g, '').length;
}

type Matrix = [number, number, number, number, number, number];
const IDENTITY: Matrix = [1, 0, 0, 1, 0, 0];

/** m then n: the CTM after `n` is applied inside `m` (PDF's `cm`). */
function multiply(m: Matrix, n: ArrayLike<number>): Matrix {
  const [a, b, c, d, e, f] = [n[0]!, n[1]!, n[2]!, n[3]!, n[4]!, n[5]!];
  return [
    a * m[0] + b * m[2],
    a * m[1] + b * m[3],
    c * m[0] + d * m[2],
    c * m[1] + d * m[3],
    e * m[0] + f * m[2] + m[4],
    e * m[1] + f * m[3] + m[5],
  ];
}

interface ImageOps {
  save: number;
  restore: number;
  transform: number;
  formBegin: number;
  formEnd: number;
  /** Image ops whose arguments are [objId, width, height]. */
  byId: Set<number>;
  /** Image ops whose first argument holds width and height. */
  inline: Set<number>;
}

/**
 * The share of the page box (0-1) covered by images drawn at SCAN_MIN_DPI or more, from the
 * page's operator list: each image fills the unit square of the current transformation matrix.
 */
function scannedCoverage(
  fnArray: readonly number[],
  argsArray: readonly unknown[],
  view: readonly number[],
  ops: ImageOps,
): number {
  const pageArea = Math.abs((view[2]! - view[0]!) * (view[3]! - view[1]!));
  if (!(pageArea > 0)) return 0;
  const stack: Matrix[] = [];
  let ctm = IDENTITY;
  let covered = 0;
  for (let i = 0; i < fnArray.length; i++) {
    const op = fnArray[i]!;
    const args = (argsArray[i] ?? []) as unknown[];
    if (op === ops.save) stack.push(ctm);
    else if (op === ops.restore) ctm = stack.pop() ?? ctm;
    else if (op === ops.transform) ctm = multiply(ctm, args as number[]);
    else if (op === ops.formBegin) {
      stack.push(ctm);
      const matrix = args[0];
      if (matrix !== null && typeof matrix === 'object' && 'length' in matrix) {
        ctm = multiply(ctm, matrix as ArrayLike<number>);
      }
    } else if (op === ops.formEnd) ctm = stack.pop() ?? ctm;
    else {
      let size: { width: unknown; height: unknown } | null = null;
      if (ops.byId.has(op)) size = { width: args[1], height: args[2] };
      else if (ops.inline.has(op) && typeof args[0] === 'object' && args[0] !== null) {
        size = args[0] as { width: unknown; height: unknown };
      }
      if (size === null || typeof size.width !== 'number' || typeof size.height !== 'number') {
        continue;
      }
      // The unit square's sides in points, and the image's pixels along each.
      const across = Math.hypot(ctm[0], ctm[1]);
      const down = Math.hypot(ctm[2], ctm[3]);
      if (across === 0 || down === 0) continue;
      const dpi = Math.min((size.width * 72) / across, (size.height * 72) / down);
      if (dpi >= SCAN_MIN_DPI) covered += Math.abs(ctm[0] * ctm[3] - ctm[1] * ctm[2]);
    }
  }
  return Math.min(1, covered / pageArea);
}

/**
 * The PDF's text layer (pdf.js), and whether the file is a scan: a text layer too thin to be a
 * letter (under 100 characters a page on average), and every page without text mostly covered
 * by images at a scanner's resolution.
 */
async function extractFromPdf(
  bytes: Uint8Array,
  fileName: string,
  limits: ParseLimits,
): Promise<{ text: string; scanned: boolean }> {
  guardPdfJsRejections();
  // pdf.js takes ownership of (and detaches) the buffer it is given; copy so callers keep theirs.
  const data = new Uint8Array(bytes);
  const { getDocument, OPS } = await getResolvedPDFJS();
  const imageOps: ImageOps = {
    save: OPS.save,
    restore: OPS.restore,
    transform: OPS.transform,
    formBegin: OPS.paintFormXObjectBegin,
    formEnd: OPS.paintFormXObjectEnd,
    byId: new Set([OPS.paintImageXObject]),
    inline: new Set([OPS.paintInlineImageXObject, OPS.paintImageMaskXObject]),
  };
  const task = getDocument({
    data,
    isEvalSupported: false,
    useSystemFonts: true,
    disableFontFace: true,
    stopAtErrors: false,
    // pdf.js warns on stderr about every damaged stream; the outcome is reported instead.
    verbosity: 0,
  });
  const pages: string[] = [];
  let characters = 0;
  let scanned = false;
  try {
    const pdf = await task.promise;
    // Checked before any page is read: 20,000 blank pages took minutes to extract.
    if (pdf.numPages > limits.pages) {
      throw tooComplex(fileName, { limit: 'pages', found: pdf.numPages }, limits);
    }
    for (let n = 1; n <= pdf.numPages; n++) {
      const page = await pdf.getPage(n);
      const content = await page.getTextContent();
      let text = '';
      for (const item of content.items) {
        if ('str' in item) text += item.str + (item.hasEOL ? '\n' : '');
      }
      characters += text.length;
      if (characters > limits.characters)
        throw tooComplex(fileName, { limit: 'characters' }, limits);
      pages.push(text);
    }
    // Only a thin text layer is worth the look for images (an operator list per page).
    if (inked(pages.join('')) < THIN_CHARACTERS_PER_PAGE * Math.max(1, pdf.numPages)) {
      scanned = pdf.numPages > 0;
      for (let n = 1; n <= pdf.numPages && scanned; n++) {
        if (inked(pages[n - 1]!) >= THIN_CHARACTERS_PER_PAGE) continue;
        const page = await pdf.getPage(n);
        const ops = await page.getOperatorList();
        const [x0, y0, x1, y1] = page.view as [number, number, number, number];
        // A crafted page size would make OCR's rendering exhaust memory: refused here, whatever
        // resolution its image claims.
        if (ops.fnArray.length > 0 && pageTooLarge(x1 - x0, y1 - y0)) {
          throw tooComplex(fileName, { limit: 'pageSize', page: n, scan: true }, limits);
        }
        scanned = scannedCoverage(ops.fnArray, ops.argsArray, page.view, imageOps) >= SCAN_COVERAGE;
      }
    }
  } catch (e) {
    if (e instanceof LetterFormatError) throw e;
    if (isPdfJsError(e) && e.name === 'PasswordException') {
      throw new LetterFormatError(
        'pdf-password',
        `${fileName} is a password-protected PDF: send a copy without a password to open it.`,
      );
    }
    const detail = isPdfJsError(e) ? e.message : String(e);
    throw new LetterFormatError(
      'pdf-corrupt',
      `${fileName} could not be read as a PDF (${detail}): the file may be truncated or damaged; send it again.`,
    );
  } finally {
    // Destroying the loading task (not just the document) stops pdf.js's worker-side parsing,
    // which otherwise rejects later, unhandled, on damaged files.
    await task.destroy();
  }
  // A form feed between pages mirrors pdftotext, so text and PDF input normalise alike.
  return { text: pages.join('\n\f\n'), scanned };
}
