import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { deflateSync } from 'node:zlib';
import { assemblePdf } from './pdf.ts';

// Scans of letters, made the way an office scanner makes them: each page rendered at 200 dpi in
// grey (poppler's pdftoppm), tilted by about half a degree, with light noise, and the images
// wrapped in a PDF with no text layer. Built at run time from the corpus; never committed.

const run = promisify(execFile);

/** A grey image, one byte a pixel, rows top to bottom. */
export interface GreyImage {
  width: number;
  height: number;
  pixels: Uint8Array;
}

export interface ScanOptions {
  /** Rendering resolution. @default 200 */
  dpi?: number;
  /** Tilt in degrees, clockwise. @default 0.5 */
  tiltDegrees?: number;
  /** Largest change of a pixel's grey by noise, either way. @default 24 */
  noise?: number;
  /** Seed of the noise, so a scan is the same on every run. @default 1 */
  seed?: number;
}

/** Renders a PDF's pages in grey with pdftoppm (poppler-utils). */
export async function renderPages(pdf: Uint8Array, dpi = 200): Promise<GreyImage[]> {
  const dir = await mkdtemp(join(tmpdir(), 'imr-scan-'));
  try {
    await writeFile(join(dir, 'in.pdf'), pdf);
    await run('pdftoppm', ['-r', String(dpi), '-gray', join(dir, 'in.pdf'), join(dir, 'p')]);
    const files = (await readdir(dir)).filter((f) => f.endsWith('.pgm')).sort();
    return Promise.all(files.map(async (f) => readPgm(await readFile(join(dir, f)))));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Parses a binary PGM (P5, maxval 255), as pdftoppm writes it. */
export function readPgm(bytes: Uint8Array): GreyImage {
  const header = Buffer.from(bytes.subarray(0, 64)).toString('latin1');
  const m = /^P5\s+(\d+)\s+(\d+)\s+255\s/.exec(header);
  if (m === null) throw new Error('not an 8-bit binary PGM');
  const width = Number(m[1]);
  const height = Number(m[2]);
  return { width, height, pixels: bytes.subarray(m[0].length, m[0].length + width * height) };
}

/** The image turned by `degrees` about its centre (bilinear), with white where paper was not. */
export function rotate(image: GreyImage, degrees: number): GreyImage {
  const { width, height, pixels } = image;
  const out = new Uint8Array(width * height);
  const a = (degrees * Math.PI) / 180;
  const cos = Math.cos(a);
  const sin = Math.sin(a);
  const cx = width / 2;
  const cy = height / 2;
  const at = (x: number, y: number): number =>
    x < 0 || y < 0 || x >= width || y >= height ? 255 : pixels[y * width + x]!;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      // The source pixel that lands here: the inverse rotation.
      const dx = x - cx;
      const dy = y - cy;
      const sx = cos * dx + sin * dy + cx;
      const sy = -sin * dx + cos * dy + cy;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      const top = at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx;
      const bottom = at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx;
      out[y * width + x] = Math.round(top * (1 - fy) + bottom * fy);
    }
  }
  return { width, height, pixels: out };
}

/** Light sensor noise and the odd speck of dust, from a seeded generator. */
export function addNoise(image: GreyImage, amount: number, seed: number): GreyImage {
  let state = seed >>> 0 || 1;
  const random = (): number => {
    // xorshift32: deterministic and fast enough for millions of pixels.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
  const out = new Uint8Array(image.pixels.length);
  for (let i = 0; i < out.length; i++) {
    const jitter = (random() + random() - 1) * amount;
    const speck = random() < 0.0005 ? -160 : 0;
    out[i] = Math.max(0, Math.min(255, Math.round(image.pixels[i]! + jitter + speck)));
  }
  return { ...image, pixels: out };
}

/** A PDF of grey page images with no text layer, each page sized for `dpi`. */
export function imagePdf(images: readonly GreyImage[], dpi = 200): Uint8Array {
  const pageCount = images.length;
  // 1 catalog, 2 pages, then per page: page, content, image.
  const kids = images.map((_, i) => `${3 + i * 3} 0 R`).join(' ');
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    `<< /Type /Pages /Kids [${kids}] /Count ${pageCount} >>`,
  ];
  images.forEach((image, i) => {
    const w = (image.width * 72) / dpi;
    const h = (image.height * 72) / dpi;
    const content = `q ${w.toFixed(2)} 0 0 ${h.toFixed(2)} 0 0 cm /Im0 Do Q`;
    const data = deflateSync(image.pixels).toString('latin1');
    objects.push(
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${w.toFixed(2)} ${h.toFixed(2)}] /Contents ${4 + i * 3} 0 R /Resources << /XObject << /Im0 ${5 + i * 3} 0 R >> >> >>`,
      `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
      `<< /Type /XObject /Subtype /Image /Width ${image.width} /Height ${image.height} /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode /Length ${data.length} >>\nstream\n${data}\nendstream`,
    );
  });
  return assemblePdf(objects);
}

/** A scan of a PDF letter: rendered in grey, tilted, noisy, wrapped as images only. */
export async function scanPdf(pdf: Uint8Array, options: ScanOptions = {}): Promise<Uint8Array> {
  const dpi = options.dpi ?? 200;
  const pages = await renderPages(pdf, dpi);
  const scanned = pages.map((page, i) =>
    addNoise(
      rotate(page, options.tiltDegrees ?? 0.5),
      options.noise ?? 24,
      (options.seed ?? 1) + i,
    ),
  );
  return imagePdf(scanned, dpi);
}
