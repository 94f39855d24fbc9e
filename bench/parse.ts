// npm run bench:parse: parser throughput on the corpus, against poppler's pdftotext measured in
// the same run, and how often the taxonomy falls back to Other on the corpus and on the synthetic
// mix. Prints figures; asserts nothing (targets are reported next to them).
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { basename } from 'node:path';
import type { Determination } from '../shared/record/index.ts';
import {
  extractText,
  PARSE_LIMITS,
  parseLetter,
  parseLetterText,
  ParseSandbox,
} from '../shared/parser/index.ts';
import { generateLetter } from '../synthetic/generate.ts';
import { scanPdf } from '../synthetic/scan.ts';
import { GET_LETTERS } from '../test/letters/manifest.ts';
import { corpusPdfs, HAVE_LETTERS, seedTexts } from '../test/support/letters.ts';

const TEXT_SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
// The demo data's series (imr generate's default seed) and enough letters for a stable share.
const SYNTHETIC_SEED = 1;
const SYNTHETIC_LETTERS = 2000;
// Scans read by OCR: seconds each, so a sample (every Nth corpus letter) rather than all 120.
const OCR_LETTERS = Number(process.env.BENCH_OCR_LETTERS ?? 5);

function need(cmd: string, pkg: string): void {
  if (spawnSync('sh', ['-c', `command -v ${cmd}`]).status !== 0) {
    process.stderr.write(
      `bench:parse needs ${cmd}: install it with "sudo apt-get install ${pkg}".\n`,
    );
    process.exit(2);
  }
}
need('pdftotext', 'poppler-utils');
need('pdftoppm', 'poppler-utils');
if (!HAVE_LETTERS) {
  process.stderr.write(`bench:parse reads the real letters: place them with "${GET_LETTERS}".\n`);
  process.exit(2);
}

const pdfPaths = corpusPdfs();
const pdfs = pdfPaths.map((p) => ({ name: p, bytes: new Uint8Array(readFileSync(p)) }));
const pdfMb = pdfs.reduce((n, p) => n + p.bytes.length, 0) / 1e6;
const log = (s: string): void => void process.stderr.write(`${s}\n`);

log(`bench:parse: ${pdfs.length} corpus PDFs (${pdfMb.toFixed(1)} MB) and the seeds`);

// Texts as the parser sees them: pdf.js extraction of the PDFs plus the seed text files.
const texts: { name: string; text: string }[] = [];
for (const p of pdfs) texts.push({ name: p.name, text: await extractText(p.bytes, p.name) });
for (const path of seedTexts()) {
  texts.push({ name: basename(path), text: readFileSync(path, 'utf8') });
}
const textMb = texts.reduce((n, t) => n + Buffer.byteLength(t.text), 0) / 1e6;

// 1. Text to Determination, one core, repeated for a few seconds after a warm-up pass.
const corpusRecords = texts.map((t) => parseLetterText(t.text, t.name));
log(`text: parsing for ${TEXT_SECONDS} s...`);
let letters = 0;
let bytes = 0;
const textStart = performance.now();
while (performance.now() - textStart < TEXT_SECONDS * 1000) {
  for (const t of texts) {
    parseLetterText(t.text, t.name);
    letters++;
    bytes += t.text.length;
  }
}
const textSecs = (performance.now() - textStart) / 1000;

// 2. PDF bytes to Determination, sequentially (one core), after one warm-up letter.
await parseLetter(pdfs[0]!.bytes, pdfs[0]!.name);
log('pdf: parsing every corpus PDF...');
const pdfStart = performance.now();
for (const p of pdfs) await parseLetter(p.bytes, p.name);
const pdfMs = (performance.now() - pdfStart) / pdfs.length;

// 2b. The same through the parse sandbox, as `imr parse` and the ingest run it: one reused worker
// thread, under the limits, the bytes copied to it and the Determination back.
const sandbox = new ParseSandbox();
const coldStart = performance.now();
await sandbox.parse(pdfs[0]!.bytes, pdfs[0]!.name);
const sandboxColdMs = performance.now() - coldStart;
log('sandbox: parsing every corpus PDF...');
const sandboxStart = performance.now();
for (const p of pdfs) await sandbox.parse(p.bytes, p.name);
const sandboxMs = (performance.now() - sandboxStart) / pdfs.length;
await sandbox.close();

// 3. The reference: pdftotext on the same PDFs, one process per letter as a pipeline would run it.
log('pdftotext: extracting every corpus PDF...');
execFileSync('pdftotext', [pdfPaths[0]!, '-']);
const refStart = performance.now();
for (const p of pdfPaths)
  execFileSync('pdftotext', ['-enc', 'UTF-8', p, '-'], { maxBuffer: 64 << 20 });
const refMs = (performance.now() - refStart) / pdfPaths.length;

// 4. The taxonomy's last resort: items classified Other (flagged category-other), which the
// classification test set (test/fixtures/classification-cases.ts) keeps for what fits nowhere.
log(`taxonomy: parsing ${SYNTHETIC_LETTERS} synthetic letters...`);
const syntheticRecords = Array.from({ length: SYNTHETIC_LETTERS }, (_, i) => {
  const { bytes, fileName } = generateLetter(i + 1, SYNTHETIC_SEED, 'text');
  return parseLetterText(new TextDecoder().decode(bytes), fileName);
});
const otherShare = (records: readonly Determination[]): string => {
  const items = records.flatMap((r) => r.issues);
  const other = items.filter((i) => i.category === 'Other').length;
  return `${((100 * other) / items.length).toFixed(1)}% (${other}/${items.length})`;
};
// 4. MuPDF (WASM) as a text extractor, against pdf.js's time in step 2's extraction.
log('mupdf: extracting every corpus PDF...');
const mupdf = await import('mupdf');
const mupdfText = (bytes: Uint8Array): string => {
  const doc = mupdf.Document.openDocument(bytes, 'application/pdf');
  let text = '';
  for (let i = 0; i < doc.countPages(); i++) {
    text += doc.loadPage(i).toStructuredText('preserve-whitespace').asText() + '\f';
  }
  doc.destroy();
  return text;
};
mupdfText(pdfs[0]!.bytes);
const mupdfStart = performance.now();
for (const p of pdfs) mupdfText(p.bytes);
const mupdfMs = (performance.now() - mupdfStart) / pdfs.length;
const pdfjsStart = performance.now();
for (const p of pdfs) await extractText(p.bytes, p.name);
const pdfjsMs = (performance.now() - pdfjsStart) / pdfs.length;

// 5. Scans (synthetic/scan.ts: 200 dpi grey, tilted 0.5 degrees, noise, images only) to
// Determination by OCR, one at a time, against the same letters' text-layer records.
const step = Math.max(1, Math.floor(pdfs.length / Math.max(1, OCR_LETTERS)));
const sample = pdfs.filter((_, i) => i % step === 0).slice(0, OCR_LETTERS);
log(`ocr: scanning ${sample.length} letters...`);
const scans = await Promise.all(sample.map(async (p) => ({ ...p, scan: await scanPdf(p.bytes) })));
const exact = (d: Determination): string =>
  JSON.stringify([d.caseNumber, d.dates, d.issues.map((i) => i.decision), d.outcome]);
// In this thread, without the sandbox's deadline: the figures are OCR's own, however loaded.
const ocrLimits = { ...PARSE_LIMITS, scan: { ...PARSE_LIMITS.scan, wallMs: 3_600_000 } };
await parseLetter(scans[0]!.scan, 'warm-up.pdf', ocrLimits);
let ocrPages = 0;
let ocrSame = 0;
log(`ocr: reading ${sample.length} scans...`);
const ocrCpu = process.cpuUsage();
const ocrStart = performance.now();
for (const s of scans) {
  let pages = 0;
  const record = await parseLetter(s.scan, s.name, ocrLimits, {
    onProgress: (p) => (pages = p.pages),
  });
  ocrPages += pages;
  if (exact(record) === exact(await parseLetter(s.bytes, s.name))) ocrSame++;
}
const ocrSecs = (performance.now() - ocrStart) / 1000;
const used = process.cpuUsage(ocrCpu);
const ocrCpuSecs = (used.user + used.system) / 1e6;

const rssMb = process.resourceUsage().maxRSS / 1024;
const row = (k: string, v: string, target = ''): string =>
  `${k.padEnd(38)}${v.padStart(14)}  ${target}`;
const lines = [
  '',
  row('measure', 'value', 'target'),
  row(
    'text -> Determination (1 core)',
    `${Math.round(letters / textSecs)} letters/s`,
    '>= 2,000 letters/s',
  ),
  row('text -> Determination throughput', `${(bytes / 1e6 / textSecs).toFixed(1)} MB/s`),
  row(
    'PDF -> Determination (1 core)',
    `${pdfMs.toFixed(1)} ms/letter`,
    `${Math.round(1000 / pdfMs)} letters/s`,
  ),
  row(
    'PDF -> Determination, sandbox (1 worker)',
    `${sandboxMs.toFixed(1)} ms/letter`,
    `${(sandboxMs / pdfMs).toFixed(2)}x in-thread`,
  ),
  row('sandbox worker start + first letter', `${sandboxColdMs.toFixed(0)} ms`),
  row('pdftotext -> text (per process)', `${refMs.toFixed(1)} ms/letter`, 'reference'),
  row('PDF -> Determination / pdftotext', `${(pdfMs / refMs).toFixed(2)}x`, '<= 2x'),
  row('text layer: pdf.js (unpdf)', `${pdfjsMs.toFixed(1)} ms/letter`, 'in use'),
  row('text layer: MuPDF (WASM)', `${mupdfMs.toFixed(1)} ms/letter`),
  row('scan -> Determination (OCR, wall)', `${(ocrSecs / ocrPages).toFixed(2)} s/page`),
  row('scan -> Determination (OCR, wall)', `${(ocrSecs / scans.length).toFixed(2)} s/letter`),
  row('scan -> Determination (OCR, CPU)', `${(ocrCpuSecs / ocrPages).toFixed(2)} s/page`),
  row('scans read as their PDF', `${ocrSame}/${scans.length}`, 'case, dates, decisions, outcome'),
  row('peak RSS', `${rssMb.toFixed(0)} MB`),
  row('items classified Other, corpus', otherShare(corpusRecords), 'last resort'),
  row(
    'items classified Other, synthetic mix',
    otherShare(syntheticRecords),
    `${SYNTHETIC_LETTERS} letters, seed ${SYNTHETIC_SEED}`,
  ),
  '',
  `corpus: ${pdfs.length} PDFs, ${pdfMb.toFixed(2)} MB; text of ${texts.length} letters, ${textMb.toFixed(2)} MB; ${scans.length} scans of ${ocrPages} pages; node ${process.version}; load average ${loadavg()[0]!.toFixed(1)}`,
];
process.stdout.write(lines.join('\n') + '\n');
