import { LetterFormatError } from '../errors.ts';

// What parsing one letter may cost. A determination letter is a few pages of text (the corpus:
// 2 to 10 pages, under 27,000 characters, about 10 ms and a few MB to parse); these bounds are
// far above that and far below what a crafted file (a "PDF bomb") would take.

/** Bounds on the work of parsing one letter; beyond any of them it fails as `too-complex`. */
export interface ParseLimits {
  /** Pages read; a real letter has fewer than 20. */
  pages: number;
  /** Characters of extracted text. */
  characters: number;
  /** Wall time for one letter in the sandbox, from when its worker takes it. */
  wallMs: number;
  /** The sandbox worker's JavaScript heap (V8 old generation), in MB. */
  heapMb: number;
  /**
   * Memory the process may grow by while the sandbox parses one letter, in MB. It bounds what
   * the heap limit cannot see: decompressed stream data, which pdf.js holds in ArrayBuffers
   * outside the heap.
   */
  growthMb: number;
  /** What a scan may take instead, once the worker finds the letter is one (forScan). */
  scan: ScanLimits;
}

/**
 * A scan is read by OCR (ocr.ts): about 2.3 s of one CPU a page and 250-300 MB for the engines
 * (MuPDF and Tesseract, WebAssembly memory outside the worker's heap), so it gets more time and
 * memory than a text letter, for fewer pages. The ingest's timeout derives from wallMs.
 */
export interface ScanLimits {
  /** Pages read by OCR. */
  pages: number;
  /** Wall time for the whole letter, from when its worker takes it. */
  wallMs: number;
  /** Memory the process may grow by while the letter is read, in MB. */
  growthMb: number;
}

export const PARSE_LIMITS: ParseLimits = {
  pages: 100,
  characters: 1_000_000,
  wallMs: 5_000,
  heapMb: 256,
  growthMb: 256,
  scan: { pages: 20, wallMs: 80_000, growthMb: 1024 },
};

/** The limits a letter is held to once it turns out to be a scan: the scan's pages, time, memory. */
export function forScan(limits: ParseLimits): ParseLimits {
  return { ...limits, ...limits.scan };
}

/** What a sender can do about a letter that exceeded a limit; ends every too-complex message. */
const ADVICE =
  'An IMR determination letter is a few pages of text; send the letter itself as a PDF of ' +
  'under 20 pages, not a bundle of records or a file built to exhaust the reader.';

/** The limit a letter went beyond; `scan` when it was being read by OCR (under forScan). */
export type LimitExceeded = { scan?: boolean } & (
  | { limit: 'pages'; found: number }
  | { limit: 'characters' }
  | { limit: 'wallMs' }
  | { limit: 'heapMb' }
  | { limit: 'growthMb' }
  | { limit: 'pageSize'; page: number }
);

/** The `too-complex` error for a letter that went beyond one of `limits`. */
export function tooComplex(
  fileName: string,
  exceeded: LimitExceeded,
  limits: ParseLimits = PARSE_LIMITS,
): LetterFormatError {
  const what = ((): string => {
    switch (exceeded.limit) {
      case 'pages':
        return exceeded.scan === true
          ? `is a scan of ${exceeded.found.toLocaleString('en-US')} pages (at most ${limits.pages} are read by OCR)`
          : `has ${exceeded.found.toLocaleString('en-US')} pages (at most ${limits.pages} are read)`;
      case 'characters':
        return `holds more than ${limits.characters.toLocaleString('en-US')} characters of text`;
      case 'wallMs':
        return exceeded.scan === true
          ? `took longer than ${limits.wallMs / 1000} s to read by OCR (a page takes a few seconds)`
          : `took longer than ${limits.wallMs / 1000} s to read (a letter takes well under one)`;
      case 'heapMb':
      case 'growthMb':
        return exceeded.scan === true
          ? `needed more than ${limits[exceeded.limit]} MB of memory to read by OCR`
          : `needed more than ${limits[exceeded.limit]} MB of memory to read (its compressed content expands far beyond a letter's)`;
      case 'pageSize':
        return `has a page far larger than a letter's (page ${exceeded.page})`;
    }
  })();
  return new LetterFormatError('too-complex', `${fileName} ${what}, so it was not read. ${ADVICE}`);
}
