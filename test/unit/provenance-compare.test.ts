import { describe, expect, it } from 'vitest';
import type { Determination } from '../../shared/record/determination.ts';
import { parseLetterText } from '../../shared/parser/parse-letter.ts';
import { samePublishedRecord } from '../../shared/store/provenance.ts';
import { renderLetter } from '../../synthetic/render-letter.ts';
import { SPEC } from '../fixtures/synthetic-letter.ts';

// Which copies of a letter corroborate its published record: every coded field equal, or, for a
// copy read by OCR, the case, dates, outcome and decisions.

const published = parseLetterText(renderLetter(SPEC, { layout: 'full-letter' }), 'a.txt');

/** The letter as a scan might read it: a licensing state and a citation title misread. */
function misread(d: Determination, textSource: Determination['textSource']): Determination {
  return {
    ...d,
    textSource,
    flags: textSource === 'ocr' ? [...d.flags, 'ocr'] : d.flags,
    reviewer: { ...d.reviewer, licensure: ['Califormia'] },
    issues: d.issues.map((i, n) =>
      n === 0
        ? {
            ...i,
            citations: i.citations.map((c) => ({ ...c, title: `${c.title} Conyplaints` })),
          }
        : i,
    ),
  };
}

describe('samePublishedRecord', () => {
  it('holds a scan with misread details but the same decisions as a corroboration', () => {
    expect(published.issues[0]!.citations.length).toBeGreaterThan(0);
    expect(samePublishedRecord(misread(published, 'ocr'), published)).toBe(true);
    expect(samePublishedRecord(published, misread(published, 'ocr'))).toBe(true);
  });

  it('compares every coded field when neither copy was read by OCR', () => {
    expect(samePublishedRecord(misread(published, 'pdf-text'), published)).toBe(false);
    expect(samePublishedRecord({ ...published, textSource: 'pdf-text' }, published)).toBe(true);
  });

  it('sees a scan whose decision, date, outcome or items differ as a conflict', () => {
    const scan = misread(published, 'ocr');
    const flipped = {
      ...scan,
      issues: scan.issues.map((i, n) =>
        n === 1 ? { ...i, decision: i.decision === 'upheld' ? 'overturned' : 'upheld' } : i,
      ),
    } as Determination;
    expect(samePublishedRecord(flipped, published)).toBe(false);
    const later = { ...scan, dates: { ...scan.dates, decision: '2030-01-01' } };
    expect(samePublishedRecord(later, published)).toBe(false);
    expect(samePublishedRecord({ ...scan, outcome: 'upheld' }, published)).toBe(
      published.outcome === 'upheld',
    );
    expect(samePublishedRecord({ ...scan, issues: scan.issues.slice(1) }, published)).toBe(false);
  });
});
