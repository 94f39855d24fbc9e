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
}

export const PARSE_LIMITS: ParseLimits = {
  pages: 100,
  characters: 1_000_000,
  wallMs: 5_000,
  heapMb: 256,
  growthMb: 256,
};

/** What a sender can do about a letter that exceeded a limit; ends every too-complex message. */
const ADVICE =
  'An IMR determination letter is a few pages of text; send the letter itself as a PDF of ' +
  'under 20 pages, not a bundle of records or a file built to exhaust the reader.';

export type LimitExceeded =
  | { limit: 'pages'; found: number }
  | { limit: 'characters' }
  | { limit: 'wallMs' }
  | { limit: 'heapMb' }
  | { limit: 'growthMb' };

/** The `too-complex` error for a letter that went beyond one of `limits`. */
export function tooComplex(
  fileName: string,
  exceeded: LimitExceeded,
  limits: ParseLimits = PARSE_LIMITS,
): LetterFormatError {
  const what = ((): string => {
    switch (exceeded.limit) {
      case 'pages':
        return `has ${exceeded.found.toLocaleString('en-US')} pages (at most ${limits.pages} are read)`;
      case 'characters':
        return `holds more than ${limits.characters.toLocaleString('en-US')} characters of text`;
      case 'wallMs':
        return `took longer than ${limits.wallMs / 1000} s to read (a letter takes well under one)`;
      case 'heapMb':
      case 'growthMb':
        return `needed more than ${limits[exceeded.limit]} MB of memory to read (its compressed content expands far beyond a letter's)`;
    }
  })();
  return new LetterFormatError('too-complex', `${fileName} ${what}, so it was not read. ${ADVICE}`);
}
