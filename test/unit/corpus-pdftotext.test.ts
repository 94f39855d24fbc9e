import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Determination } from '../../shared/record/determination.ts';
import { parseLetter, parseLetterText } from '../../shared/parser/parse-letter.ts';
import { corpusPdfs, HAVE_LETTERS } from '../support/letters.ts';

// The same letter must parse the same whether its text came from pdf.js (inside the parser) or
// from poppler's pdftotext, which emits the header's labels first and its values after them.
// .ci/run installs poppler-utils; without it this test fails rather than skips.
const pdftotext = (path: string, layout: boolean): string =>
  execFileSync('pdftotext', [...(layout ? ['-layout'] : []), '-enc', 'UTF-8', path, '-'], {
    encoding: 'utf8',
  });

const facts = (d: Determination): unknown => ({
  caseNumber: d.caseNumber,
  layout: d.layout,
  dates: d.dates,
  priority: d.priority,
  reviewer: d.reviewer,
  patient: d.patient,
  outcome: d.outcome,
  issues: d.issues.map((i) => ({
    request: i.request,
    originalRequest: i.originalRequest,
    authorizedPortion: i.authorizedPortion,
    decision: i.decision,
    category: i.category,
    subcategory: i.subcategory,
    conclusion: i.conclusion,
    // pdftotext removes hyphens at line ends, which changes URLs quoted as Other citations.
    citations: i.citations.map((c) =>
      c.source === 'Other' ? c.source : `${c.source} ${c.title} ${c.year ?? ''}`,
    ),
  })),
  flags: d.flags,
});

describe.skipIf(!HAVE_LETTERS)('pdftotext text of the corpus', () => {
  const paths = corpusPdfs();
  const fromPdf = new Map<string, Determination>();

  beforeAll(async () => {
    for (const path of paths) {
      fromPdf.set(path, await parseLetter(new Uint8Array(await readFile(path)), path));
    }
  });

  it('emits labels and values in separate runs, and still parses to the same record', () => {
    const sample = pdftotext(paths[0]!, false);
    expect(sample).toMatch(/Case Number:\s*\n\s*Date Assigned:/);
    for (const path of paths) {
      const fromText = parseLetterText(pdftotext(path, false), path);
      expect(facts(fromText), path).toEqual(facts(fromPdf.get(path)!));
    }
  });

  it('parses the same from pdftotext -layout (labels beside values, columns side by side)', () => {
    for (const path of paths) {
      const fromText = parseLetterText(pdftotext(path, true), path);
      expect(facts(fromText), path).toEqual(facts(fromPdf.get(path)!));
    }
  });
});
