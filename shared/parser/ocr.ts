import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { gunzipSync } from 'node:zlib';
import type * as MuPdfModule from 'mupdf';
import { LetterFormatError } from '../errors.ts';
import { forScan, PARSE_LIMITS, tooComplex, type ParseLimits } from './limits.ts';

// Scanned letters (PDFs whose pages are images) are read by OCR: MuPDF (WASM) renders each page
// in grey, Tesseract (tesseract.js-core's WASM build, LSTM engine) reads it with the English
// model of @tesseract.js-data/eng. Both run in the calling thread, so OCR runs wherever parsing
// runs (the parse sandbox's worker included), and nothing is fetched: the WASM files and the
// model are read from node_modules (copied beside the Lambda's index.mjs and parse-worker.mjs,
// cdk/bundling). Files from outside are parsed in the sandbox's worker, so that is where OCR runs.

/** Progress of one scan's OCR: pages read so far (0 when it starts), after each page. */
export interface OcrProgress {
  page: number;
  pages: number;
}

/** What the caller hears of a scan being read (the sandbox's worker tells its parent). */
export interface OcrOptions {
  /** The letter is a scan: called before OCR starts, so the caller can apply forScan's limits. */
  onScan?: () => void;
  onProgress?: (progress: OcrProgress) => void;
}

/** The text OCR read, with what the parser needs to flag what it could not read confidently. */
export interface OcrResult {
  /** Pages in reading order, joined by form feeds as the text path does. */
  text: string;
  pages: number;
  /** Tesseract's mean word confidence, 0-100. */
  confidence: number;
  /** Words read with a confidence below UNCERTAIN_BELOW, as read. */
  uncertainWords: string[];
}

/** Resolution pages are rendered at: office scans are 200-300 dpi; more only costs time. */
export const OCR_DPI = 200;
/** Pixels of one rendered page: a legal-size page at OCR_DPI is 5.6 million; 20 x 20 inches. */
const MAX_PAGE_PIXELS = 16_000_000;
/** True for a page (in points) whose rendering at OCR_DPI would be far larger than paper's. */
export function pageTooLarge(width: number, height: number): boolean {
  const scale = OCR_DPI / 72;
  return Math.abs(width * height) * scale * scale > MAX_PAGE_PIXELS;
}
/** Words read with less confidence than this (0-100) are uncertain. */
export const UNCERTAIN_BELOW = 60;
// Darker than this is ink. A fixed threshold turns table shading and light noise white, which
// Tesseract's own (Otsu) thresholding turns partly black on noisy scans.
const INK_BELOW = 150;
// Ruling lines of tables confuse layout analysis (read as "|" and joined cells); a run of ink
// longer than this (about 6 mm) is a line, never a letter.
const LINE_RUN_INCHES = 0.25;

const require = createRequire(import.meta.url);

interface TessApi {
  Init(dataPath: string, lang: string, oem: number): number;
  SetVariable(name: string, value: string): boolean;
  SetImageFile(exif: number, angle: number): number;
  Recognize(monitor: null): number;
  GetUTF8Text(): string;
  GetTSVText(page: number): string;
  MeanTextConf(): number;
  Clear(): void;
}
interface TessCore {
  FS: { writeFile(path: string, data: Uint8Array): void; unlink(path: string): void };
  TessBaseAPI: new () => TessApi;
}
type TessFactory = (module: { wasmBinary?: Uint8Array }) => Promise<TessCore>;
type MuPdf = typeof MuPdfModule;

interface Engine {
  mupdf: MuPdf;
  core: TessCore;
  api: TessApi;
}

let engine: Promise<Engine> | null = null;

// Tesseract's LSTM engine only (OEM 1): the model below has no legacy engine data.
const OEM_LSTM_ONLY = 1;
// One uniform block of text (PSM 6): a letter is one column, read line by line, and the header
// table row by row (the header parser takes labels and values in any order). Automatic
// segmentation (PSM 3, and PSM 4) dropped whole paragraphs of cleaned pages as non-text.
const PSM_SINGLE_BLOCK = '6';

/** Loads MuPDF, Tesseract and the English model once per thread (about a second). */
function loadEngine(): Promise<Engine> {
  engine ??= (async () => {
    const mupdf = await import('mupdf');
    // The SIMD build: Node 20 and Lambda's Node 22 have WebAssembly SIMD.
    const factory = require('tesseract.js-core/tesseract-core-simd-lstm.js') as TessFactory;
    const wasmBinary = readFileSync(
      require.resolve('tesseract.js-core/tesseract-core-simd-lstm.wasm'),
    );
    const core = await factory({ wasmBinary: new Uint8Array(wasmBinary) });
    // best_int: the integer-quantised "best" model, the one tesseract.js uses for LSTM-only.
    const model = gunzipSync(
      readFileSync(require.resolve('@tesseract.js-data/eng/4.0.0_best_int/eng.traineddata.gz')),
    );
    core.FS.writeFile('/eng.traineddata', model);
    const api = new core.TessBaseAPI();
    if (api.Init('/', 'eng', OEM_LSTM_ONLY) !== 0) {
      throw new Error('Tesseract could not load its English model');
    }
    api.SetVariable('tessedit_pageseg_mode', PSM_SINGLE_BLOCK);
    api.SetVariable('user_defined_dpi', String(OCR_DPI));
    return { mupdf, core, api };
  })();
  engine.catch(() => {
    engine = null;
  });
  return engine;
}

/** Ink black, paper white, table rules removed: what Tesseract reads best. */
export function cleanPage(pixels: Uint8Array, width: number, height: number, dpi: number): void {
  for (let i = 0; i < pixels.length; i++) pixels[i] = pixels[i]! < INK_BELOW ? 0 : 255;
  const minRun = Math.round(dpi * LINE_RUN_INCHES);
  const erase: number[] = [];
  const scan = (count: number, length: number, at: (line: number, i: number) => number): void => {
    for (let line = 0; line < count; line++) {
      let start = -1;
      for (let i = 0; i <= length; i++) {
        const ink = i < length && pixels[at(line, i)] === 0;
        if (ink && start < 0) start = i;
        if (!ink && start >= 0) {
          if (i - start >= minRun) for (let k = start; k < i; k++) erase.push(at(line, k));
          start = -1;
        }
      }
    }
  };
  scan(height, width, (y, x) => y * width + x);
  scan(width, height, (x, y) => y * width + x);
  for (const i of erase) pixels[i] = 255;
}

/** Tesseract's TSV output: the words (level 5) with their confidence. */
function uncertainWordsOf(tsv: string): string[] {
  const words: string[] = [];
  for (const row of tsv.split('\n')) {
    const cells = row.split('\t');
    if (cells[0] !== '5' || cells.length < 12) continue;
    const confidence = Number(cells[10]);
    const word = cells[11]!.trim();
    if (word !== '' && confidence >= 0 && confidence < UNCERTAIN_BELOW) words.push(word);
  }
  return words;
}

/**
 * Reads a PDF's pages by OCR. Throws LetterFormatError `too-complex` beyond the scan limits of
 * `limits` (pages, time, memory; the sandbox also holds the letter to them from outside) and
 * `pdf-corrupt` when MuPDF cannot open the file.
 */
export async function ocrPdf(
  bytes: Uint8Array,
  fileName: string,
  parseLimits: ParseLimits = PARSE_LIMITS,
  options: OcrOptions = {},
): Promise<OcrResult> {
  const limits = forScan(parseLimits);
  const started = Date.now();
  const { mupdf, core, api } = await loadEngine();
  const rssAtStart = process.memoryUsage.rss();
  let doc: InstanceType<MuPdf['Document']>;
  try {
    doc = mupdf.Document.openDocument(bytes, 'application/pdf');
  } catch (e) {
    throw new LetterFormatError(
      'pdf-corrupt',
      `${fileName} could not be read as a PDF (${e instanceof Error ? e.message : String(e)}): the file may be truncated or damaged; send it again.`,
    );
  }
  try {
    const pages = doc.countPages();
    if (pages > limits.pages) {
      throw tooComplex(fileName, { limit: 'pages', found: pages, scan: true }, limits);
    }
    options.onProgress?.({ page: 0, pages });
    const texts: string[] = [];
    const uncertainWords: string[] = [];
    let confidenceSum = 0;
    for (let n = 0; n < pages; n++) {
      const page = doc.loadPage(n);
      const scale = OCR_DPI / 72;
      const [x0, y0, x1, y1] = page.getBounds();
      // A crafted page size would make the rendering itself exhaust memory: refused first.
      if (pageTooLarge(x1 - x0, y1 - y0)) {
        page.destroy();
        throw tooComplex(fileName, { limit: 'pageSize', page: n + 1, scan: true }, limits);
      }
      const pixmap = page.toPixmap(
        mupdf.Matrix.scale(scale, scale),
        mupdf.ColorSpace.DeviceGray,
        false,
      );
      const width = pixmap.getWidth();
      const height = pixmap.getHeight();
      const pixels = new Uint8Array(pixmap.getPixels());
      pixmap.destroy();
      page.destroy();
      cleanPage(pixels, width, height, OCR_DPI);
      // Leptonica reads PGM as is: no PNG encoding and decoding on the way.
      const pgm = new Uint8Array(
        Buffer.concat([Buffer.from(`P5\n${width} ${height}\n255\n`), pixels]),
      );
      core.FS.writeFile('/input', pgm);
      api.SetImageFile(1, 0);
      api.Recognize(null);
      texts.push(api.GetUTF8Text());
      confidenceSum += api.MeanTextConf();
      uncertainWords.push(...uncertainWordsOf(api.GetTSVText(0)));
      api.Clear();
      core.FS.unlink('/input');
      options.onProgress?.({ page: n + 1, pages });
      // WebAssembly memory only grows; the process's growth since the start bounds both engines.
      if (process.memoryUsage.rss() - rssAtStart > limits.growthMb * 1_048_576) {
        throw tooComplex(fileName, { limit: 'growthMb', scan: true }, limits);
      }
      if (Date.now() - started > limits.wallMs && n + 1 < pages) {
        throw tooComplex(fileName, { limit: 'wallMs', scan: true }, limits);
      }
      // Let timers and messages (progress, the sandbox's deadline) run between pages.
      await new Promise((resolve) => setImmediate(resolve));
    }
    return {
      text: texts.join('\n\f\n'),
      pages,
      confidence: pages === 0 ? 0 : confidenceSum / pages,
      uncertainWords,
    };
  } finally {
    doc.destroy();
  }
}
