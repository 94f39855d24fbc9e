import { describe, expect, it } from 'vitest';
import { LetterFormatError } from '../../shared/errors.ts';
import { parseLetterText } from '../../shared/parser/parse-letter.ts';
import { renderLetter, type RenderOptions } from '../../synthetic/render-letter.ts';
import { SPEC } from '../fixtures/synthetic-letter.ts';

const expectedIssues = [
  {
    ordinal: 1,
    request: 'MRI of the lumbar spine without contrast',
    decision: 'upheld',
    category: 'Diagnostic Testing',
    subcategory: 'Imaging/Radiology',
    bodyRegion: 'lumbar spine',
    conclusion: 'not medically necessary',
    citations: [
      { source: 'MTUS', title: 'Low Back Complaints', year: 2004, sections: ['Special Studies'] },
      { source: 'ODG', sections: ['Low Back Chapter', 'MRIs'] },
    ],
    flags: [],
  },
  {
    ordinal: 2,
    request: 'Acupuncture 6 sessions',
    originalRequest: 'Acupuncture 12 sessions',
    authorizedPortion: 'Acupuncture 6 sessions',
    decision: 'upheld',
    category: 'Rehabilitation',
    subcategory: 'Acupuncture',
    flags: [],
  },
  {
    ordinal: 3,
    request:
      'Norco 10/325mg #90 take one tablet by mouth every eight hours as needed for severe pain, DOS: 11/14/2016',
    decision: 'overturned',
    category: 'Pharmaceuticals',
    subcategory: 'Opioids',
    drug: 'hydrocodone/acetaminophen',
    quantity: '90',
    citations: [],
    claimsAdministratorCitations: [{ source: 'MTUS', title: 'Opioid Treatment', year: 2016 }],
    conclusion: 'medically necessary',
    flags: [],
  },
];

describe('parseLetterText on the full-letter layout', () => {
  const variants: [string, RenderOptions][] = [
    ['labels beside values', { layout: 'full-letter', header: 'inline' }],
    ['labels and values in separate runs', { layout: 'full-letter', header: 'columns' }],
    [
      'blank-line extraction with CRLF',
      { layout: 'full-letter', blankLines: true, lineEnding: '\r\n' },
    ],
    [
      'narrow wrapping and decisions on their own line',
      { layout: 'full-letter', width: 40, decisionOnOwnLine: true },
    ],
  ];

  it.each(variants)('reads every field (%s)', (_name, options) => {
    const d = parseLetterText(renderLetter(SPEC, options), 'upload.pdf');
    expect(d).toMatchObject({
      source: 'upload.pdf',
      caseNumber: 'CM16-0000042',
      layout: 'full-letter',
      dates: {
        assigned: '2016-11-09',
        injury: '2015-10-13',
        decision: '2016-12-09',
        urDenial: '2016-11-03',
        applicationReceived: '2016-11-04',
      },
      priority: 'Standard',
      reviewer: {
        specialties: ['Physical Medicine & Rehabilitation', 'Pain Management'],
        licensure: ['California', 'Oregon'],
      },
      patient: { age: 52, sex: 'female' },
      diagnoses: ['lumbar strain', 'left knee sprain', 'myofascial pain'],
      outcome: 'partially overturned',
      issues: expectedIssues,
      flags: [],
    });
  });
});

describe('parseLetterText on the body-only layout', () => {
  it('reads the inline reviewer, prose dates and takes the case number from the file name', () => {
    const d = parseLetterText(
      renderLetter(SPEC, { layout: 'body-only', blankLines: true }),
      'letters/CM16-0000042.txt',
    );
    expect(d).toMatchObject({
      caseNumber: 'CM16-0000042',
      layout: 'body-only',
      dates: {
        assigned: null,
        injury: '2015-10-13',
        decision: null,
        urDenial: '2016-11-03',
        applicationReceived: null,
      },
      priority: null,
      reviewer: {
        specialties: ['Physical Medicine & Rehabilitation', 'Pain Management'],
        licensure: ['California', 'Oregon'],
      },
      flags: ['case-number-from-file-name'],
    });
    expect(d.issues).toHaveLength(3);
  });

  it('leaves the case number null when the file name is not one', () => {
    const d = parseLetterText(renderLetter(SPEC, { layout: 'body-only' }), '000_fb2a.txt');
    expect(d.caseNumber).toBeNull();
  });
});

describe('data-quality flags', () => {
  it('flags a decision that contradicts its rationale, and keeps the decision line', () => {
    const spec = { ...SPEC, items: [{ ...SPEC.items[0]!, decision: 'Overturned' as const }] };
    const d = parseLetterText(renderLetter(spec, { layout: 'full-letter' }), 'x.pdf');
    expect(d.issues[0]).toMatchObject({
      decision: 'overturned',
      flags: ['decision-conflicts-with-rationale'],
    });
    expect(d.outcome).toBe('overturned');
  });

  it('flags a missing section and an unreadable header date', () => {
    const text = renderLetter(
      { ...SPEC, dates: { ...SPEC.dates, assigned: '02/30/2016' } },
      { layout: 'full-letter' },
    ).replace(/CLINICAL CASE SUMMARY[\s\S]*?(?=IMR ISSUES)/, '');
    const d = parseLetterText(text, 'x.pdf');
    expect(d.flags).toEqual(
      expect.arrayContaining(['missing-section:clinical-case-summary', 'unparsed-date:assigned']),
    );
    expect(d.dates.assigned).toBeNull();
    expect(d.summary).toBeNull();
  });

  it('flags a rationale without a conclusion', () => {
    const spec = {
      ...SPEC,
      items: [{ ...SPEC.items[0]!, rationale: 'The records were reviewed in full.' }],
    };
    const d = parseLetterText(renderLetter(spec, { layout: 'full-letter' }), 'x.pdf');
    expect(d.issues[0]!.flags).toEqual(['rationale-conclusion-missing']);
  });

  it('flags an item the taxonomy can only call Other, and only that item', () => {
    const spec = {
      ...SPEC,
      items: [{ ...SPEC.items[0]!, request: 'Hyperbaric oxygen treatment' }, SPEC.items[0]!],
    };
    const d = parseLetterText(renderLetter(spec, { layout: 'full-letter' }), 'x.pdf');
    expect(d.issues.map((i) => [i.category, i.flags])).toEqual([
      ['Other', ['category-other']],
      ['Diagnostic Testing', []],
    ]);
  });
});

describe('documents that are not letters', () => {
  const reject = (text: string): LetterFormatError => {
    try {
      parseLetterText(text, 'doc.txt');
    } catch (e) {
      if (e instanceof LetterFormatError) return e;
      throw e;
    }
    throw new Error('expected a LetterFormatError');
  };

  it('names what was expected and what was found', () => {
    const e = reject('<html><body>Quarterly report</body></html>');
    expect(e.reason).toBe('unknown-layout');
    expect(e.message).toContain('IMR ISSUES, DECISIONS AND RATIONALES');
    expect(e.message).toContain('found "<html><body>Quarterly report</body></html>"');
  });

  it('says when a letter names its case but lacks the decisions section', () => {
    const e = reject('Case Number: CM16-0000042\nHOW THE IMR FINAL DETERMINATION WAS MADE\nText.');
    expect(e.reason).toBe('unknown-layout');
    expect(e.message).toMatch(/names case CM16-0000042 but its decisions section is missing/);
    expect(e.message).toMatch(/A page may be missing/);
  });

  it('says when a letter has the headings but no disputed items', () => {
    const e = reject(
      'HOW THE IMR FINAL DETERMINATION WAS MADE\nIMR ISSUES, DECISIONS AND RATIONALES\n',
    );
    expect(e.reason).toBe('no-issues');
  });
});

describe('older layouts, recognised by their headings', () => {
  it('reads a MAXIMUS FEDERAL SERVICES letter with DOCUMENTS REVIEWED', () => {
    const text = [
      'MAXIMUS FEDERAL SERVICES, INC.',
      'Independent Medical Review',
      'Case Number: CM14-0001234 Date of Injury: 03/04/2012',
      'The expert reviewer is Board Certified in Orthopedic Surgery and is licensed to practice in California.',
      'CLINICAL CASE SUMMARY',
      'The patient is a 61 year old male with chronic knee pain.',
      'DOCUMENTS REVIEWED',
      'Utilization review determination, medical records.',
      'IMR DECISION(S) AND RATIONALE(S)',
      'Knee brace: Overturned',
      'Claims Administrator guideline: Decision based on MTUS Knee Complaints 2004.',
      'MAXIMUS guideline: Decision based on MTUS Knee Complaints 2004.',
      'Decision rationale: Instability is documented. The knee brace is medically necessary.',
    ].join('\n');
    const d = parseLetterText(text, 'legacy.txt');
    expect(d).toMatchObject({
      layout: 'maximus-legacy',
      caseNumber: 'CM14-0001234',
      dates: { injury: '2012-03-04' },
      reviewer: { specialties: ['Orthopedic Surgery'], licensure: ['California'] },
      patient: { age: 61, sex: 'male' },
      outcome: 'overturned',
      issues: [{ request: 'Knee brace', decision: 'overturned', category: 'DMEPOS' }],
    });
  });

  it('reads a MEDICAL PROFESSIONAL REVIEW letter with wrapped headings', () => {
    const text = [
      'MEDICAL PROFESSIONAL REVIEW',
      'ISSUE AT DISPUTE:',
      'Lumbar epidural steroid injection at L4-5',
      'CASE SUMMARY:',
      'The claimant is a 45-year-old female injured on 01/02/2012.',
      'DOCUMENTS REVIEWED FOR DETERMINATION:',
      'Medical records.',
      'MEDICAL TREATMENT GUIDELINE(S) RELIED UPON BY',
      'PROFESSIONAL REVIEWER AND WHY:',
      'Decision based on MTUS Chronic Pain Medical Treatment 2009, Section(s): Epidural steroid injections.',
      'RATIONALE FOR WHY THE REQUESTED TREATMENT/SERVICE IS/WAS',
      'NOT MEDICALLY NECESSARY:',
      'There is no radiculopathy on examination. The injection is not medically necessary.',
      'MEDICAL REVIEWER QUALIFICATIONS:',
      'The expert reviewer is Board Certified in Anesthesiology and is licensed to practice in California.',
    ].join('\n');
    const d = parseLetterText(text, 'CM13-0000777.txt');
    expect(d).toMatchObject({
      layout: 'medical-professional-review',
      caseNumber: 'CM13-0000777',
      patient: { age: 45, sex: 'female' },
      reviewer: { specialties: ['Anesthesiology'] },
      issues: [
        {
          request: 'Lumbar epidural steroid injection at L4-5',
          decision: 'upheld',
          category: 'Injections',
          subcategory: 'Epidural',
          flags: ['decision-inferred-from-rationale'],
        },
      ],
    });
    expect(d.issues[0]!.citations[0]).toMatchObject({ source: 'MTUS' });
  });

  it('reads a 2013 Notice of Independent Medical Review Determination', () => {
    // Structure as the 2013 notices print it (wording invented): outcomes twice, "notmedically"
    // run together by extraction, then per-item rationales after the case summary.
    const outcomes = [
      '1) MAXIMUS Federal Services, Inc. has determined the request for physical therapy 12',
      'visits is notmedically necessary and appropriate.',
      '2) MAXIMUS Federal Services, Inc. has determined the request for Naproxen 550mg #60 is',
      'medically necessary and appropriate.',
    ];
    const text = [
      'MAXIMUS FEDERAL SERVICES, INC.',
      'Notice of Independent Medical Review Determination Dated: 9/26/2013',
      'IMR Case Number: CM13-0004567 Date of Injury: 01/15/2012',
      ...outcomes,
      'INDEPENDENT MEDICAL REVIEW DECISION AND RATIONALE',
      'An application for Independent Medical Review was filed on 9/6/2013 disputing the',
      'Utilization Review Denial dated 8/30/2013. A Notice of Assignment and Request for',
      'Information was provided to the above parties on 9/12/2013. A decision has been made',
      'for each of the treatment and/or services that were in dispute:',
      ...outcomes,
      'Medical Qualifications of the Expert Reviewer:',
      'The physician reviewer is Board Certified in Family Practice and is licensed to practice in California.',
      'Case Summary:',
      'The patient is a 50 year old male with chronic knee pain.',
      'Documents Reviewed for Determination:',
      'Application for IMR, utilization review determination, medical records.',
      '1) Regarding the request for physical therapy 12 visits:',
      'Medical Treatment Guideline(s) Relied Upon by the Expert Reviewer:',
      'Decision based on MTUS Chronic Pain Medical Treatment 2009, Section(s): Physical Medicine.',
      'Rationale for the Decision:',
      'Prior therapy gave no functional improvement. The request is not medically necessary.',
      '2) Regarding the request for Naproxen 550mg #60:',
      'Medical Treatment Guideline(s) Relied Upon by the Expert Reviewer:',
      'Decision based on MTUS Chronic Pain Medical Treatment 2009, Section(s): NSAIDs.',
      'Rationale for the Decision:',
      'NSAIDs are recommended for osteoarthritis pain. The request is medically necessary.',
    ].join('\n');
    const d = parseLetterText(text, 'notice.txt');
    expect(d).toMatchObject({
      layout: 'notice-2013',
      caseNumber: 'CM13-0004567',
      dates: {
        decision: '2013-09-26',
        injury: '2012-01-15',
        urDenial: '2013-08-30',
        applicationReceived: '2013-09-06',
        assigned: '2013-09-12',
      },
      outcome: 'partially overturned',
      reviewer: { specialties: ['Family Practice'], licensure: ['California'] },
      patient: { age: 50, sex: 'male' },
      summary: 'The patient is a 50 year old male with chronic knee pain.',
      issues: [
        {
          request: 'physical therapy 12 visits',
          decision: 'upheld',
          conclusion: 'not medically necessary',
          rationale:
            'Prior therapy gave no functional improvement. The request is not medically necessary.',
          citations: [{ source: 'MTUS', title: 'Chronic Pain Medical Treatment', year: 2009 }],
          flags: [],
        },
        { request: 'Naproxen 550mg #60', decision: 'overturned', subcategory: 'NSAIDs', flags: [] },
      ],
    });
    expect(d.issues).toHaveLength(2);
  });
});

describe('wording variants', () => {
  // Unwrapped, so the test can swap whole sentences.
  const letter = renderLetter(SPEC, { layout: 'body-only', width: 10_000 });

  it.each([
    [
      'Board Certified in Internal Medicine, has a subspecialty in Pulmonary Diseases',
      ['Internal Medicine', 'Pulmonary Diseases'],
    ],
    ['a Licensed Chiropractor', ['Chiropractor']],
    [
      'Board Certified in Physical Medicine and Rehabilitation',
      ['Physical Medicine and Rehabilitation'],
    ],
  ])('reads the inline reviewer "%s"', (wording, specialties) => {
    const text = letter.replace(
      /The expert reviewer is Board Certified in[\s\S]*?and is licensed to practice in/,
      `The expert reviewer is ${wording} and is licensed to practice in`,
    );
    expect(parseLetterText(text, 'x.txt').reviewer.specialties).toEqual(specialties);
  });

  it('reads label variants: plural, possessive, "Expert Reviewer"', () => {
    const text = renderLetter(SPEC, { layout: 'full-letter' })
      .replaceAll('Claims Administrator guideline:', "Claims Administrator's Guidelines:")
      .replaceAll('MAXIMUS guideline:', 'Expert Reviewer guideline:')
      .replaceAll('Decision rationale:', 'Decision Rationale:');
    const d = parseLetterText(text, 'x.txt');
    expect(d.issues.map((i) => [i.request, i.decision, i.flags])).toEqual([
      ['MRI of the lumbar spine without contrast', 'upheld', []],
      ['Acupuncture 6 sessions', 'upheld', []],
      [SPEC.items[2]!.request, 'overturned', []],
    ]);
    expect(d.issues[0]!.citations).toHaveLength(2);
  });

  it('reads "Date of UR Decision" as the UR denial date', () => {
    const text = renderLetter(SPEC, { layout: 'full-letter' }).replace(
      'UR Denial Date:',
      'Date of UR Decision:',
    );
    expect(parseLetterText(text, 'x.txt').dates.urDenial).toBe('2016-11-03');
  });
});
