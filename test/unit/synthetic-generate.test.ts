import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { generateCommand } from '../../cli/generate.ts';
import type { Determination } from '../../shared/record/determination.ts';
import { extractText } from '../../shared/parser/extract-text.ts';
import { parseLetter, parseLetterText } from '../../shared/parser/parse-letter.ts';
import { SYNTHETIC_MARKER } from '../../shared/parser/synthetic.ts';
import {
  generateLetter,
  generateSpec,
  MAX_INDEX,
  renderSyntheticText,
  syntheticCaseNumber,
  type SyntheticLetterSpec,
} from '../../synthetic/generate.ts';
import { mailedParties } from '../../synthetic/mailed.ts';
import { renderPdf } from '../../synthetic/pdf.ts';
import { Random } from '../../synthetic/random.ts';
import { classifyRequest } from '../../shared/taxonomy/classify.ts';
import { CATEGORIES } from '../../shared/taxonomy/vocabulary.ts';
import { PHRASING_KINDS, TOPICS, isTopic } from '../fixtures/classification-cases.ts';

const SEED = 20_241;
const ROOT = resolve(import.meta.dirname, '../..');

/** Everything the parser must read back from a generated letter, as a partial Determination. */
function expectedRecord(spec: SyntheticLetterSpec): Record<string, unknown> {
  const fullLetter = spec.layout === 'full-letter';
  const d = spec.isoDates;
  return {
    caseNumber: spec.caseNumber,
    layout: spec.layout,
    dates: fullLetter
      ? d
      : {
          assigned: null,
          injury: d.injury,
          decision: null,
          urDenial: d.urDenial,
          applicationReceived: null,
        },
    priority: fullLetter ? spec.priority : null,
    reviewer: { specialties: spec.specialties, licensure: spec.licensure },
    patient: spec.patient,
    diagnoses: spec.diagnoses,
    summary: spec.summary,
    flags: fullLetter ? ['synthetic'] : ['case-number-from-file-name', 'synthetic'],
    issues: spec.items.map((item, i) => ({
      ordinal: i + 1,
      request: item.request,
      originalRequest: item.modified?.original ?? null,
      authorizedPortion: item.modified?.authorized ?? null,
      decision: item.decision === 'Upheld' ? 'upheld' : 'overturned',
      conclusion: item.decision === 'Upheld' ? 'not medically necessary' : 'medically necessary',
      ...item.expected,
      claimsAdministratorGuideline: item.claimsAdministratorGuideline,
      reviewerGuideline: item.reviewerGuideline,
      citations: item.citationSources.map((source) => expect.objectContaining({ source })),
      rationale: item.rationale,
      flags: item.expected.category === 'Other' ? ['category-other'] : [],
    })),
  };
}

describe('generateSpec', () => {
  it('is deterministic for a seed and index, and varies with either', () => {
    expect(generateSpec(17, SEED)).toEqual(generateSpec(17, SEED));
    expect(generateLetter(17, SEED, 'pdf').bytes).toEqual(generateLetter(17, SEED, 'pdf').bytes);
    expect(generateLetter(17, SEED, 'text').bytes).toEqual(generateLetter(17, SEED, 'text').bytes);
    expect(generateSpec(17, SEED + 1).summary).not.toBe(generateSpec(17, SEED).summary);
    expect(generateSpec(18, SEED).summary).not.toBe(generateSpec(17, SEED).summary);
    // Stable across runs, machines and Node versions, not only within one process: pinned
    // values (a change here changes every generated data set; do it knowingly).
    const r = new Random(1, 0);
    expect([r.next(), r.int(0, 999), r.int(0, 999)]).toEqual([0.4135421582031995, 982, 1]);
    expect(generateSpec(1, SEED)).toMatchObject({
      caseNumber: 'CM22-9000001',
      items: [{ request: 'Shower chair' }],
    });
  });

  it('has realistic proportions over 2,000 letters', () => {
    const specs = Array.from({ length: 2000 }, (_, i) => generateSpec(i + 1, SEED));
    const items = specs.flatMap((s) => s.items);
    const share = (pred: (x: (typeof items)[number]) => boolean, of = items): number =>
      of.filter(pred).length / of.length;

    expect(share((i) => i.decision === 'Upheld')).toBeGreaterThanOrEqual(0.85);
    expect(share((i) => i.decision === 'Upheld')).toBeLessThanOrEqual(0.95);
    expect(items.length / specs.length).toBeGreaterThan(2.1);
    expect(items.length / specs.length).toBeLessThan(2.5);
    expect(Math.max(...specs.map((s) => s.items.length))).toBe(6);
    expect(Math.min(...specs.map((s) => s.items.length))).toBe(1);

    const byCategory = new Map(
      CATEGORIES.map((c) => [c, items.filter((i) => i.expected.category === c)]),
    );
    const sizes = [...byCategory].map(([c, list]) => [c, list.length] as const);
    sizes.sort((a, b) => b[1] - a[1]);
    expect(sizes[0]![0]).toBe('Pharmaceuticals');
    expect(sizes[0]![1] / items.length).toBeGreaterThan(0.35);
    expect(sizes[0]![1] / items.length).toBeLessThan(0.45);
    expect(sizes[1]![0]).toBe('Diagnostic Testing');
    for (const [category, count] of sizes) expect(count, category).toBeGreaterThan(0);
    // Behavioural health and E&M are overturned most often (docs/DOMAIN.md).
    const overturned = (c: (typeof CATEGORIES)[number]): number =>
      share((i) => i.decision === 'Overturned', byCategory.get(c));
    expect(overturned('Psych Services')).toBeGreaterThan(overturned('Pharmaceuticals'));
    expect(overturned('Evaluation & Management')).toBeGreaterThan(overturned('Pharmaceuticals'));

    const drugs = new Set(items.map((i) => i.expected.drug).filter((d) => d !== null));
    expect(drugs.size).toBeGreaterThan(60);
    const regions = new Set(items.map((i) => i.expected.bodyRegion));
    expect(regions.size).toBeGreaterThan(10);

    const modified = share((i) => i.modified !== undefined);
    expect(modified).toBeGreaterThan(0.03);
    expect(modified).toBeLessThan(0.07);
    expect(items.some((i) => i.modified?.wording === 'original-eligible')).toBe(true);
    expect(share((i) => i.decisionOnOwnLine === true)).toBeGreaterThan(0.05);

    const bodyOnly = specs.filter((s) => s.layout === 'body-only').length / specs.length;
    expect(bodyOnly).toBeGreaterThan(0.05);
    expect(bodyOnly).toBeLessThan(0.2);
    expect(specs.some((s) => s.priority === 'Expedited')).toBe(true);
    expect(new Set(specs.flatMap((s) => s.specialties)).size).toBeGreaterThan(15);
    expect(new Set(specs.flatMap((s) => s.licensure)).size).toBeGreaterThan(15);
    expect(new Set(specs.map((s) => s.patient.sex))).toEqual(new Set(['female', 'male']));

    // Every year 2014-2024 holds at least 5% of the letters.
    const years = new Map<string, number>();
    for (const s of specs) {
      const y = s.isoDates.decision.slice(0, 4);
      years.set(y, (years.get(y) ?? 0) + 1);
    }
    expect([...years.keys()].sort()).toEqual(
      Array.from({ length: 11 }, (_, i) => String(2014 + i)),
    );
    for (const [year, n] of years) expect(n, year).toBeGreaterThan(100);
  });

  it('shows every phrasing kind and topic of the classification test set, each classified as its spec says', () => {
    const items = Array.from({ length: 2000 }, (_, i) => generateSpec(i + 1, SEED)).flatMap(
      (s) => s.items,
    );
    for (const item of items) {
      const { category, subcategory, drug, bodyRegion } = classifyRequest(item.request);
      expect({ category, subcategory, drug, bodyRegion }, item.request).toEqual(item.expected);
    }
    for (const { kind, matches } of PHRASING_KINDS) {
      const found = items.some((i) => matches({ request: i.request, drug: i.expected.drug }));
      expect(found, kind).toBe(true);
    }
    for (const t of TOPICS) {
      expect(
        items.some((i) => isTopic(t, { request: i.request, ...i.expected })),
        t.topic,
      ).toBe(true);
    }
  });

  it('gives every index its own case number, in a range real letters never reach', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20_000; i++) {
      const spec = generateSpec(i, SEED);
      expect(spec.caseNumber).toMatch(/^CM(?:1[4-9]|2[0-4])-9\d{6}$/);
      expect(spec.caseNumber.slice(2, 4)).toBe(spec.isoDates.decision.slice(2, 4));
      seen.add(spec.caseNumber);
    }
    expect(seen.size).toBe(20_000);
    expect(syntheticCaseNumber(MAX_INDEX, 2016)).toBe('CM16-9999999');
    expect(() => syntheticCaseNumber(MAX_INDEX + 1, 2016)).toThrow(RangeError);
    expect(() => syntheticCaseNumber(-1, 2016)).toThrow(RangeError);
  });

  it('keeps the header dates in process order', () => {
    for (let i = 0; i < 500; i++) {
      const d = generateSpec(i, SEED).isoDates;
      expect([d.injury, d.urDenial, d.applicationReceived, d.assigned, d.decision]).toEqual(
        [d.injury, d.urDenial, d.applicationReceived, d.assigned, d.decision].sort(),
      );
    }
  });
});

describe('generated letters through the real parser', () => {
  it('parse, as text, to exactly what the spec says (300 letters)', async () => {
    const layouts = new Set<string>();
    for (let i = 1; i <= 300; i++) {
      const { fileName, bytes, spec } = generateLetter(i, SEED, 'text');
      const d = await parseLetter(bytes, fileName);
      expect(d, fileName).toMatchObject(expectedRecord(spec));
      expect(d.issues, fileName).toHaveLength(spec.items.length);
      layouts.add(spec.layout);
    }
    expect(layouts).toEqual(new Set(['full-letter', 'body-only']));
  });

  it('parse, as PDF, to the same Determination as the text form (20 letters)', async () => {
    let pages = 0;
    for (let i = 1; i <= 20; i++) {
      const pdf = generateLetter(i, SEED, 'pdf');
      const text = generateLetter(i, SEED, 'text');
      const fromPdf = await parseLetter(pdf.bytes, pdf.fileName);
      const fromText = await parseLetter(text.bytes, text.fileName);
      expect(fromPdf, pdf.fileName).toMatchObject(expectedRecord(pdf.spec));
      expect(fromPdf.textSource).toBe('pdf-text');
      expect(fromText.textSource).toBe('plain-text');
      const same = { source: '', textSource: null };
      expect({ ...fromPdf, ...same }).toEqual({ ...fromText, ...same });
      pages += (await extractText(pdf.bytes, pdf.fileName)).split('\f').length;
    }
    expect(pages).toBeGreaterThan(20); // some letters run over a page
  });

  it('names body-only letters by case number, which the parser takes from the file name', async () => {
    const index = Array.from({ length: 200 }, (_, i) => i).find(
      (i) => generateSpec(i, SEED).layout === 'body-only',
    )!;
    const { fileName, bytes, spec } = generateLetter(index, SEED, 'text');
    expect(fileName).toBe(`${spec.caseNumber}.txt`);
    const text = new TextDecoder().decode(bytes);
    expect(text).not.toContain(spec.caseNumber);
    expect((await parseLetter(bytes, fileName)).caseNumber).toBe(spec.caseNumber);
    expect((await parseLetter(bytes, 'upload.txt')).caseNumber).toBeNull();
  });
});

describe('the synthetic flag', () => {
  const spec = generateSpec(3, SEED);
  const text = renderSyntheticText(spec);

  it('is set by the notice on the first line, and only by it', () => {
    expect(text.split(/\r?\n/)[0]!.trim()).toBe(SYNTHETIC_MARKER);
    const flags = (t: string): string[] => parseLetterText(t, `${spec.caseNumber}.txt`).flags;
    expect(flags(text)).toContain('synthetic');
    const without = text.replace(SYNTHETIC_MARKER, '');
    expect(flags(without)).not.toContain('synthetic');
    // Quoted further down (not as the letter's opening), it does not make a letter synthetic.
    const quoted = without.replace(
      'CLINICAL CASE SUMMARY',
      `CLINICAL CASE SUMMARY\n${SYNTHETIC_MARKER}`,
    );
    expect(flags(quoted)).not.toContain('synthetic');
  });

  it('is also set on a PDF letter', async () => {
    const { fileName, bytes } = generateLetter(3, SEED, 'pdf');
    expect((await parseLetter(bytes, fileName)).flags).toContain('synthetic');
  });
});

describe('renderPdf', () => {
  const decoder = new TextDecoder('latin1');

  it('writes a cross-reference table whose offsets point at their objects', () => {
    const pdf = decoder.decode(renderPdf(Array.from({ length: 120 }, (_, i) => `Line ${i}`)));
    const xrefAt = Number(/startxref\n(\d+)\n%%EOF\n$/.exec(pdf)![1]);
    expect(pdf.slice(xrefAt, xrefAt + 4)).toBe('xref');
    const entries = pdf
      .slice(xrefAt)
      .split('\n')
      .slice(3)
      .filter((l) => / n $/.test(l));
    expect(entries).toHaveLength(4 + 2 * 3); // catalog, pages, font, info + 3 pages
    entries.forEach((entry, i) => {
      const offset = Number(entry.slice(0, 10));
      expect(pdf.slice(offset).startsWith(`${i + 1} 0 obj\n`)).toBe(true);
    });
    expect(pdf).toContain('/Count 3');
    for (const m of pdf.matchAll(/<< \/Length (\d+) >>\nstream\n/g)) {
      const start = m.index + m[0].length;
      expect(pdf.slice(start + Number(m[1]), start + Number(m[1]) + 10)).toBe('\nendstream');
    }
  });

  it('escapes and encodes text so that pdf.js reads it back unchanged, page by page', async () => {
    const lines = [
      'Unbalanced ) and ( parentheses and a backslash \\ survive',
      'Café, naïve, 50% – “quoted” and ‘single’ • done',
      ...Array.from({ length: 60 }, (_, i) => `Filler line ${i + 1}`),
    ];
    const text = await extractText(renderPdf(lines, { linesPerPage: 55 }), 'x.pdf');
    const pages = text.split('\f');
    expect(pages).toHaveLength(2);
    expect(pages[0]).toContain('Unbalanced ) and ( parentheses and a backslash \\ survive');
    expect(pages[0]).toContain('Café, naïve, 50% – “quoted” and ‘single’ • done');
    expect(pages[0]).toContain('Filler line 53');
    expect(pages[0]).not.toContain('Filler line 54');
    expect(pages[1]).toContain('Filler line 54');
    expect(pages[1]).toContain('Page 2 of 2');
  });
});

/** A stream that keeps what is written to it, optionally posing as a terminal. */
function sink(isTTY = false): Writable & { isTTY: boolean; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return Object.assign(stream, { isTTY, text: () => chunks.join('') });
}

describe('mailed synthetic letters', () => {
  it('parse to the unmailed letter’s record and carry none of the invented parties', async () => {
    for (let i = 1; i <= 150; i++) {
      const format = i % 10 === 0 ? 'pdf' : 'text';
      const plain = generateLetter(i, SEED, format);
      const mailed = generateLetter(i, SEED, format, { mailed: true });
      expect(mailed.fileName).toBe(plain.fileName);
      const a = await parseLetter(plain.bytes, plain.fileName);
      const b = await parseLetter(mailed.bytes, mailed.fileName);
      expect({ ...b, summary: null }, mailed.fileName).toEqual({
        ...a,
        summary: null,
        flags: [...a.flags, 'redacted-identifiers'],
      });
      const p = mailedParties(i, SEED);
      const json = JSON.stringify(b);
      const words = [p.worker, p.adjuster, p.physician].flatMap((n) => n.split(' '));
      for (const id of [...words, p.street, p.city, p.zip, p.claimNumber, p.wcabNumber])
        expect(json, `${mailed.fileName}: ${id}`).not.toContain(id);
      for (const org of [p.employer, p.administrator])
        expect(json, `${mailed.fileName}: ${org}`).not.toContain(org.split(' ')[0]!);
    }
  });
});

describe('imr generate', () => {
  it('writes N files named by case number that parse as synthetic letters', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'imr-generate-')), 'new', 'folder');
    const io = { stdout: sink(), stderr: sink() };
    const code = await generateCommand(
      ['12', '--out', dir, '--format=pdf', '--seed', '7', '--start', '100'],
      io,
    );
    expect(code).toBe(0);
    const names = readdirSync(dir).sort();
    expect(names).toHaveLength(12);
    expect(names.every((n) => /^CM\d{2}-9000(?:1\d\d)\.pdf$/.test(n))).toBe(true);
    expect(names.map((n) => n.slice(5, 12)).sort()).toEqual(
      Array.from({ length: 12 }, (_, i) => String(9_000_100 + i)),
    );
    const first = names[0]!;
    const d: Determination = await parseLetter(
      new Uint8Array(readFileSync(join(dir, first))),
      first,
    );
    expect(d.flags).toContain('synthetic');
    expect(io.stdout.text()).toMatch(
      /^wrote 12 synthetic pdf letters to .* \(indexes 100-111, seed 7\): \d+ items, [\d.]+% upheld, in [\d.]+ s\n$/,
    );
    expect(io.stderr.text()).toBe(''); // not a terminal: no progress
  });

  it('writes mailed letters with --mailed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'imr-generate-'));
    const io = { stdout: sink(), stderr: sink() };
    expect(await generateCommand(['3', '--out', dir, '--mailed'], io)).toBe(0);
    expect(io.stdout.text()).toMatch(/^wrote 3 synthetic mailed text letters/);
    const [first] = readdirSync(dir).sort();
    const text = readFileSync(join(dir, first!), 'utf8');
    expect(text).toMatch(/^Employee: /m);
    const d = parseLetterText(text, first!);
    expect(d.flags).toEqual(expect.arrayContaining(['synthetic', 'redacted-identifiers']));
  });

  it('shows progress on a terminal and writes the same files for the same seed', async () => {
    const a = mkdtempSync(join(tmpdir(), 'imr-generate-'));
    const b = mkdtempSync(join(tmpdir(), 'imr-generate-'));
    const tty = { stdout: sink(), stderr: sink(true) };
    expect(await generateCommand(['5', '--out', a], tty)).toBe(0);
    expect(tty.stderr.text()).toMatch(/generated 5\/5\n$/);
    expect(await generateCommand(['5', '--out', b], { stdout: sink(), stderr: sink() })).toBe(0);
    const files = readdirSync(a).sort();
    expect(files.every((f) => f.endsWith('.txt'))).toBe(true);
    expect(readdirSync(b).sort()).toEqual(files);
    for (const f of files) expect(readFileSync(join(b, f))).toEqual(readFileSync(join(a, f)));
  });

  it.each([
    [['0', '--out', 'x'], /N \(the number of letters\) must be an integer from 1/],
    [['ten', '--out', 'x'], /must be an integer/],
    [['2.5', '--out', 'x'], /must be an integer/],
    [['5'], /--out DIR is required/],
    [['--out', 'x'], /N is missing/],
    [['5', '--out'], /--out needs a value/],
    [['5', '--out', 'x', '--format', 'docx'], /--format must be text or pdf/],
    [['5', '--out', 'x', '--seed', '-1'], /--seed must be an integer from 0 to 4294967295/],
    [['5', '--out', 'x', '--start', '999999'], /runs past index 999999/],
    [['5', '--out', 'x', '--verbose'], /unknown option --verbose/],
    [['5', '6', '--out', 'x'], /one count expected/],
  ])('exits 2 on bad usage: %j', async (args, message) => {
    const io = { stdout: sink(), stderr: sink() };
    expect(await generateCommand(args, io)).toBe(2);
    expect(io.stderr.text()).toMatch(message);
    expect(io.stderr.text()).toContain('Usage: imr generate N --out DIR');
    expect(io.stdout.text()).toBe('');
  });

  it('exits 1 when the output folder cannot be created', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'imr-generate-')), 'a-file');
    writeFileSync(file, '');
    const io = { stdout: sink(), stderr: sink() };
    expect(await generateCommand(['3', '--out', join(file, 'sub')], io)).toBe(1);
    expect(io.stderr.text()).toMatch(/imr generate: could not write to .*a-file/);
  });

  it('is a command of the imr binary, with its own help', () => {
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [join(ROOT, 'bin/imr.js'), ...args], {
        cwd: ROOT,
        encoding: 'utf8',
      });
    const help = run('--help');
    expect(help.stdout).toMatch(/imr generate N --out DIR/);
    expect(run('generate', '--help').stdout).toMatch(/^Usage: imr generate N --out DIR/);
    const bad = run('generate', '3');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--out DIR is required/);
    const dir = mkdtempSync(join(tmpdir(), 'imr-generate-'));
    const ok = run('generate', '2', '--out', dir);
    expect(ok.status).toBe(0);
    expect(readdirSync(dir)).toHaveLength(2);
  });
});
