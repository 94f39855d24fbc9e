import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Determination } from '../../shared/record/determination.ts';
import { extractText } from '../../shared/parser/extract-text.ts';
import { parseLetterText } from '../../shared/parser/parse-letter.ts';
import { corpusPdfs, HAVE_LETTERS } from '../support/letters.ts';

interface Parsed {
  name: string;
  text: string;
  determination: Determination;
}

// Properties every real letter must satisfy, checked over all 120 corpus PDFs.
describe.skipIf(!HAVE_LETTERS)('the 120 corpus letters', () => {
  const letters: Parsed[] = [];

  beforeAll(async () => {
    for (const path of corpusPdfs()) {
      const name = path.split('/').pop()!;
      const text = await extractText(new Uint8Array(await readFile(path)), name);
      letters.push({ name, text, determination: parseLetterText(text, name) });
    }
  });

  it('are all there', () => {
    expect(letters).toHaveLength(120);
  });

  it('have as many items as "Decision rationale" headings', () => {
    for (const { name, text, determination } of letters) {
      const headings = text.match(/^\s*Decision rationale\s*:/gim)?.length ?? 0;
      expect(determination.issues.length, name).toBe(headings);
    }
  });

  it('have non-empty requests with no rationale or guideline text in them', () => {
    for (const { name, determination } of letters) {
      for (const issue of determination.issues) {
        const where = `${name} #${issue.ordinal}: ${issue.request}`;
        expect(issue.request.length, where).toBeGreaterThan(1);
        expect(issue.request.length, where).toBeLessThan(250);
        expect(issue.request, where).not.toMatch(
          /medically necessary|guideline:|Decision rationale|was the original request|IMR eligible|\b(?:Upheld|Overturned)\b/i,
        );
        // A sentence boundary inside a request means a rationale sentence leaked in.
        expect(issue.request, where).not.toMatch(/[a-z]{3}\.\s+[A-Z][a-z]/);
      }
    }
  });

  it('have decisions that agree with their rationale conclusions', () => {
    for (const { name, determination } of letters) {
      for (const issue of determination.issues) {
        const concluded = issue.conclusion === 'medically necessary' ? 'overturned' : 'upheld';
        expect(issue.conclusion, `${name} #${issue.ordinal}`).not.toBe('none');
        expect(issue.decision, `${name} #${issue.ordinal}`).toBe(concluded);
        expect(issue.flags, `${name} #${issue.ordinal}`).toEqual([]);
      }
    }
  });

  it('have every header date present, valid and in the order the process runs', () => {
    for (const { name, determination: d } of letters) {
      expect(d.layout, name).toBe('full-letter');
      expect(d.caseNumber, name).toBe(name.replace('.pdf', ''));
      expect(d.priority, name).toMatch(/^(Standard|Expedited)$/);
      const { injury, urDenial, applicationReceived, assigned, decision } = d.dates;
      const sequence = [injury, urDenial, applicationReceived, assigned, decision];
      for (const date of sequence) {
        expect(date, name).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        expect(Number.isNaN(Date.parse(date!)), name).toBe(false);
      }
      expect(sequence, name).toEqual([...sequence].sort());
      expect(d.flags, name).toEqual([]);
    }
  });

  it('name the reviewer specialty and states of licensure', () => {
    for (const { name, determination: d } of letters) {
      expect(d.reviewer.specialties.length, name).toBeGreaterThan(0);
      expect(d.reviewer.licensure.length, name).toBeGreaterThan(0);
      for (const s of [...d.reviewer.specialties, ...d.reviewer.licensure]) {
        expect(s, name).toMatch(/^[A-Z][A-Za-z&,.'() -]+$/);
      }
    }
  });

  it('have an outcome consistent with their decisions', () => {
    for (const { name, determination: d } of letters) {
      const upheld = d.issues.filter((i) => i.decision === 'upheld').length;
      const expected =
        upheld === d.issues.length
          ? 'upheld'
          : upheld === 0
            ? 'overturned'
            : 'partially overturned';
      expect(d.outcome, name).toBe(expected);
    }
  });
});
