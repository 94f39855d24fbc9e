import { describe, expect, it } from 'vitest';
import { readLetterText } from '../../shared/parser/extract-text.ts';
import { knownSpecialty } from '../../shared/parser/ocr-flags.ts';
import { repairOcr, repairOcrText } from '../../shared/parser/ocr-text.ts';
import { parseLetterText } from '../../shared/parser/parse-letter.ts';
import { renderLetter } from '../../synthetic/render-letter.ts';
import { SPEC } from '../fixtures/synthetic-letter.ts';

// What OCR misread in the fields statistics count (decisions, reviewer specialty, citation
// sources, conclusions) is mended only where it is the letters' fixed wording, and every field
// read from a mended or low-confidence word is flagged: never published as if read cleanly.

const letter = renderLetter({ ...SPEC, caseNumber: 'CM16-0000801' }, { layout: 'full-letter' });

/** The letter as OCR read it: `misreads` applied, `uncertainWords` read with low confidence. */
function scanned(misreads: [string, string][], uncertainWords: string[] = []) {
  const read = misreads.reduce((text, [from, to]) => {
    expect(text).toContain(from);
    return text.replace(from, to);
  }, letter);
  return parseLetterText(repairOcrText(read), 'scan.pdf', {
    textSource: 'ocr',
    ocr: { text: read, pages: 3, confidence: 90, uncertainWords },
  });
}

const itemFlags = (record: ReturnType<typeof scanned>): string[][] =>
  record.issues.map((i) => i.flags);

describe('a decision word OCR misread is flagged, however it was mended', () => {
  it('flags a decision word read with low confidence and mended by repair', () => {
    const record = scanned([['11/14/2016: Overturned', '11/14/2016: Overtumed']], ['Overtumed']);
    expect(record.issues[2]!.decision).toBe('overturned');
    expect(itemFlags(record)).toEqual([[], [], ['ocr-uncertain-decision']]);
  });

  it('flags a decision word mended by repair even when read confidently', () => {
    const record = scanned([['11/14/2016: Overturned', '11/14/2016: Overtumed']]);
    expect(record.issues[2]!.flags).toEqual(['ocr-uncertain-decision']);
  });

  it('repair reports the decision words it mended, not the marks it tidied', () => {
    const { mends } = repairOcr('Norco 10/325mg #90; Upheld\nMRI of the knee: Overtumed');
    expect(mends.map((m) => [m.kind, m.read, m.wrote])).toEqual([
      ['decision', 'Overtumed', 'Overturned'],
    ]);
  });
});

describe('citation openings OCR misread are mended and flagged', () => {
  it('reads "Decision besed on MTUS" as an MTUS citation, flagged on its item only', () => {
    const clean = scanned([]);
    const record = scanned([
      [
        'MAXIMUS guideline: Decision based on MTUS Acupuncture',
        'MAXIMUS guideline: Decision besed on MTUS Acupuncture',
      ],
    ]);
    expect(record.issues[1]!.citations).toEqual(clean.issues[1]!.citations);
    expect(record.issues[1]!.citations[0]!.source).toBe('MTUS');
    expect(itemFlags(record)).toEqual([[], ['ocr-uncertain-citation'], []]);
  });

  it('mends a misread source word after the opening: MTU5, Nen-MTUS', () => {
    const clean = scanned([]);
    const record = scanned([
      [
        'Decision based on MTUS Low Back Complaints 2004.',
        'Decision based on MTU5 Low Back Complaints 2004.',
      ],
      ['Decision based on Non-MTUS Citation', 'Decisiom based on Nen-MTUS Citation'],
    ]);
    expect(record.issues[0]!.citations).toEqual(clean.issues[0]!.citations);
    expect(record.issues[0]!.claimsAdministratorCitations).toEqual(
      clean.issues[0]!.claimsAdministratorCitations,
    );
    expect(itemFlags(record)).toEqual([['ocr-uncertain-citation'], [], []]);
  });

  it('flags citations whose words OCR read with low confidence', () => {
    const record = scanned([], ['Acupuncture']);
    expect(record.issues[1]!.flags).toContain('ocr-uncertain-citation');
    expect(record.issues[0]!.flags).not.toContain('ocr-uncertain-citation');
  });

  it('mends "Non-MTUS" as OCR breaks it before "Citation"', () => {
    for (const broken of ['Norr MT US', 'NorrMTUS', 'Nor- MTUS']) {
      const { text, mends } = repairOcr(`Decision besed on ${broken} Citation Official Disability`);
      expect(text).toBe('Decision based on Non-MTUS Citation Official Disability');
      expect(mends.map((m) => m.kind)).toEqual(['phrase', 'phrase']);
    }
  });

  it("mends an MTUS part's title words and a mark before its year, in a citation's head only", () => {
    const read =
      'Decision based on MTUS Knee Conyplaints 2004, Section(s): Medial Studies, and Flbow ' +
      'Complaints 2007. Decision based on MTUS Chronic Pain Medical Treatment, 2016, Section(s): ' +
      'Opioids. The Knee Conyplaints persisted.';
    expect(repairOcrText(read)).toBe(
      'Decision based on MTUS Knee Complaints 2004, Section(s): Medial Studies, and Elbow ' +
        'Complaints 2007. Decision based on MTUS Chronic Pain Medical Treatment 2016, Section(s): ' +
        'Opioids. The Knee Conyplaints persisted.',
    );
  });

  it('mends the sentences that cite nothing, so they are not counted as citations', () => {
    const record = scanned([
      [
        'MAXIMUS guideline: The Expert Reviewer did not cite any medical evidence for its decision.',
        'MAXIMUS guideline: The Expest Reviewer did not cite any medical evidence forits decision,',
      ],
    ]);
    expect(record.issues[2]!.citations).toEqual([]);
    expect(record.issues[2]!.flags).toContain('ocr-uncertain-citation');
    expect(
      repairOcrText(
        'The Claims A dministrator based their decision on\nrecormmendation(s) outside of the MTUS Guidelines.',
      ),
    ).toBe(
      'The Claims Administrator based their decision on recommendation(s) outside of the MTUS Guidelines.',
    );
  });

  it('flags a guideline citation whose year OCR misread, however confidently', () => {
    const record = scanned([
      ['Opioid Treatment 2016, Section(s)', 'Opioid Treatment 20186, Section(s)'],
    ]);
    expect(record.issues[2]!.flags).toEqual(['ocr-uncertain-citation']);
  });

  it('leaves prose and lone words alone', () => {
    const prose = [
      'The reviewer made decisions based on the MTUS and the ODG.',
      'Decision based on the records reviewed, MUST be noted.',
      'The medical necessity of ODG is discussed.',
    ].join('\n');
    expect(repairOcr(prose)).toEqual({ text: prose, mends: [] });
  });
});

describe('a conclusion OCR misread is mended and flagged', () => {
  it('reads "not medicaliy necessary" as not medically necessary, flagged on its item', () => {
    const record = scanned([
      ['the request is not medically necessary.', 'the request is not medicaliy necessary.'],
    ]);
    expect(record.issues[0]!.conclusion).toBe('not medically necessary');
    expect(itemFlags(record)).toEqual([['ocr-uncertain-conclusion'], [], []]);
  });

  it('reads "riot medically necessary" as not medically necessary; "now" stays', () => {
    const record = scanned([
      ['the request is not medically necessary.', 'the request is riot medically necessary.'],
    ]);
    expect(record.issues[0]!.conclusion).toBe('not medically necessary');
    expect(record.issues[0]!.flags).toEqual(['ocr-uncertain-conclusion']);
    expect(repairOcrText('It is now medically necessary.')).toBe('It is now medically necessary.');
  });

  it('flags a conclusion whose deciding word OCR read with low confidence', () => {
    const record = scanned([], ['necessary.']);
    expect(itemFlags(record).every((f) => f.includes('ocr-uncertain-conclusion'))).toBe(true);
  });
});

describe("the reviewer's specialty OCR misread is mended to a known one and flagged", () => {
  it('mends "Rehahilitation" and flags the reviewer', () => {
    const record = scanned([['Medicine & Rehabilitation,', 'Medicine & Rehahilitation,']]);
    expect(record.reviewer.specialties).toEqual([
      'Physical Medicine & Rehabilitation',
      'Pain Management',
    ]);
    expect(record.flags).toContain('ocr-uncertain-reviewer');
  });

  it('flags a specialty read with low confidence; not one read cleanly', () => {
    expect(scanned([], ['Management']).flags).toContain('ocr-uncertain-reviewer');
    expect(scanned([]).flags).not.toContain('ocr-uncertain-reviewer');
  });

  it('knows specialties within one misread character in eight, no further', () => {
    expect(knownSpecialty('Orthopedic Surgerv')).toBe('Orthopedic Surgery');
    expect(knownSpecialty('Family Practise')).toBe('Family Practice');
    expect(knownSpecialty('Neurology')).toBe('Neurology');
    expect(knownSpecialty('Veterinary Medicine')).toBeNull();
  });
});

describe('repair is for OCR only', () => {
  it('a text letter with the same misreadings is read as written', async () => {
    const text = letter
      .replace('Decision based on MTUS Acupuncture', 'Decision besed on MTUS Acupuncture')
      .replace('Medicine & Rehabilitation,', 'Medicine & Rehahilitation,');
    const read = await readLetterText(new TextEncoder().encode(text), 'letter.txt');
    expect(read).toEqual({ text, source: 'plain-text' });
    const record = parseLetterText(read.text, 'letter.txt');
    expect(record.reviewer.specialties[0]).toBe('Physical Medicine & Rehahilitation');
    expect(record.flags).not.toContain('ocr-uncertain-reviewer');
  });
});
