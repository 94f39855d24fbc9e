import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  ACOEM_TITLE,
  ODG_TITLE,
  parseCitations,
  withGuideline,
} from '../../shared/parser/citations.ts';
import {
  citationSchema,
  type Citation,
  type CitationSource,
} from '../../shared/record/determination.ts';

/** Builds a Citation with empty defaults so that each table row states only what matters. */
function cite(
  source: CitationSource,
  title: string,
  rest: Partial<Pick<Citation, 'year' | 'sections' | 'pages'>> = {},
): Citation {
  // The guideline id is derived as the parser derives it; test/unit/guidelines.test.ts checks
  // the mapping itself.
  return withGuideline({ source, title, year: null, sections: [], pages: [], ...rest });
}
const mtus = (title: string, year: number | null, sections: string[] = [], pages: string[] = []) =>
  cite('MTUS', title, { year, sections, pages });
const odg = (sections: string[] = [], year: number | null = null) =>
  cite('ODG', ODG_TITLE, { sections, year });
const acoem = (sections: string[] = [], pages: string[] = []) =>
  cite('ACOEM', ACOEM_TITLE, { sections, pages });
const other = (title: string) => cite('Other', title);

const CA_OUTSIDE =
  'The Claims Administrator based their decision on recommendation(s) outside of the MTUS Guidelines.';
const ER_OUTSIDE =
  'The Expert Reviewer based their decision on recommendation(s) outside of the MTUS Guidelines.';

interface Case {
  name: string;
  input: string;
  expected: Citation[];
}

const cases: Case[] = [
  // --- ODG chapter and topic written without a comma; several web references in one run ---
  {
    name: 'ODG chapter and topic separated by " - "',
    input:
      'Decision based on Non-MTUS Citation Official Disability Guidelines - Shoulder chapter - Magnetic resonance imaging (MRI).',
    expected: [odg(['Shoulder chapter', 'Magnetic resonance imaging (MRI)'])],
  },
  {
    name: 'ODG chapter and topic separated by "/"',
    input:
      'Decision based on Non-MTUS Citation Official Disability Guidelines (ODG) Neck and Upper Back Chapter/ Computed Tomography (CT).',
    expected: [odg(['Neck and Upper Back Chapter', 'Computed Tomography (CT)'])],
  },
  {
    name: 'ODG chapter followed directly by its topic',
    input:
      'Decision based on Non-MTUS Citation Official Disability Guidelines (ODG), Forearm, Wrist and Hand Chapter Electrodiagnostic studies (EDS).',
    expected: [odg(['Forearm, Wrist and Hand Chapter', 'Electrodiagnostic studies (EDS)'])],
  },
  {
    name: 'two web references separated by a comma',
    input:
      'Decision based on Non-MTUS Citation http://www.example.org/rehab-differences, https://example.com/acute-rehabilitation.',
    expected: [
      other('http://www.example.org/rehab-differences'),
      other('https://example.com/acute-rehabilitation'),
    ],
  },
  {
    name: 'a web reference followed by a journal reference',
    input:
      'Decision based on Non-MTUS Citation What is an electrocardiogram? Heart Institute. http://www.example.gov/health/ekg Smith D, et al. Syncope in adults. UpToDate.',
    expected: [
      other('What is an electrocardiogram? Heart Institute. http://www.example.gov/health/ekg'),
      other('Smith D, et al. Syncope in adults. UpToDate'),
    ],
  },
  // --- MTUS, 2016+ style: "<Title> <Year>[, Section(s): ...]" ---
  {
    name: 'single MTUS part without sections',
    input: 'Decision based on MTUS Acupuncture Treatment 2007.',
    expected: [mtus('Acupuncture Treatment', 2007)],
  },
  {
    name: 'two MTUS parts joined by ", and "',
    input:
      'Decision based on MTUS Acupuncture Treatment 2007, and Chronic Pain Medical Treatment 2016, Section(s): Topical analgesics.',
    expected: [
      mtus('Acupuncture Treatment', 2007),
      mtus('Chronic Pain Medical Treatment', 2016, ['Topical analgesics']),
    ],
  },
  {
    name: '"Guidelines" after the year is not part of the title',
    input:
      'Decision based on MTUS Chronic Pain Medical Treatment 2016 Guidelines, Section(s): Compound drugs.',
    expected: [mtus('Chronic Pain Medical Treatment', 2016, ['Compound drugs'])],
  },
  {
    name: 'plain comma-separated section list',
    input:
      'Decision based on MTUS Low Back Complaints 2004, Section(s): Diagnostic Criteria, Special Studies, Summary.',
    expected: [
      mtus('Low Back Complaints', 2004, ['Diagnostic Criteria', 'Special Studies', 'Summary']),
    ],
  },
  {
    name: 'NSAID section names that contain commas',
    input:
      'Decision based on MTUS Chronic Pain Medical Treatment 2016, Section(s): NSAIDs (non-steroidal anti-inflammatory drugs), NSAIDs, GI symptoms & cardiovascular risk, NSAIDs, specific drug list & adverse effects.',
    expected: [
      mtus('Chronic Pain Medical Treatment', 2016, [
        'NSAIDs (non-steroidal anti-inflammatory drugs)',
        'NSAIDs, GI symptoms & cardiovascular risk',
        'NSAIDs, specific drug list & adverse effects',
      ]),
    ],
  },
  {
    name: 'a lowercase fragment continues the previous section',
    input:
      'Decision based on MTUS Chronic Pain Medical Treatment 2016, Section(s): Capsaicin, topical (chili pepper/cayenne pepper), Work conditioning, work hardening, Antidepressants for chronic pain, Tricyclics.',
    expected: [
      mtus('Chronic Pain Medical Treatment', 2016, [
        'Capsaicin, topical (chili pepper/cayenne pepper)',
        'Work conditioning, work hardening',
        'Antidepressants for chronic pain',
        'Tricyclics',
      ]),
    ],
  },
  {
    name: 'commas inside parentheses and brackets never split',
    input:
      'Decision based on MTUS Chronic Pain Medical Treatment 2016, Section(s): Naproxen (Naprosyn, EC-Naprosyn, Anaprox, Anaprox DS [otc, rx], Naprelan), NSAIDs (non-steroidal anti-inflammatory drugs).',
    expected: [
      mtus('Chronic Pain Medical Treatment', 2016, [
        'Naproxen (Naprosyn, EC-Naprosyn, Anaprox, Anaprox DS [otc, rx], Naprelan)',
        'NSAIDs (non-steroidal anti-inflammatory drugs)',
      ]),
    ],
  },
  {
    name: 'a title containing ", and " after a section list',
    input:
      'Decision based on MTUS Elbow Complaints 2007, Section(s): Diagnostic Criteria, and Forearm, Wrist, and Hand Complaints 2004, Section(s): Special Studies, Summary.',
    expected: [
      mtus('Elbow Complaints', 2007, ['Diagnostic Criteria']),
      mtus('Forearm, Wrist, and Hand Complaints', 2004, ['Special Studies', 'Summary']),
    ],
  },
  {
    name: 'Postsurgical body-part sections',
    input:
      'Decision based on MTUS Postsurgical Treatment 2009, Section(s): Knee, Forearm, Wrist, & Hand.',
    expected: [mtus('Postsurgical Treatment', 2009, ['Knee', 'Forearm, Wrist, & Hand'])],
  },
  {
    name: 'numbered Opioid Treatment sections with colons and commas',
    input:
      'Decision based on MTUS Opioid Treatment 2016, Section(s): 3. Opioids for Chronic Pain and Chronic Opioid Treatment: Overview of Recommendations, 3.3.1.2 Opioids for Chronic Pain and Chronic Opioid Treatment: Screening for Risk of Addiction or Adverse Events, Prior to Chronic Opioid Treatment: Screening for Alcohol Misuse/Abuse, 3.3.6 Opioids for Chronic Pain and Chronic Opioid Treatment: Use of Urine Drug Testing (UDT), 4.1 Tapering Opioids: Indications for Tapering Opioids.',
    expected: [
      mtus('Opioid Treatment', 2016, [
        '3. Opioids for Chronic Pain and Chronic Opioid Treatment: Overview of Recommendations',
        '3.3.1.2 Opioids for Chronic Pain and Chronic Opioid Treatment: Screening for Risk of Addiction or Adverse Events, Prior to Chronic Opioid Treatment: Screening for Alcohol Misuse/Abuse',
        '3.3.6 Opioids for Chronic Pain and Chronic Opioid Treatment: Use of Urine Drug Testing (UDT)',
        '4.1 Tapering Opioids: Indications for Tapering Opioids',
      ]),
    ],
  },
  {
    name: 'a long chain of MTUS parts, some without sections',
    input:
      'Decision based on MTUS Shoulder Complaints 2004, Section(s): Initial Care, Follow-up Visits, and Elbow Complaints 2007, and Forearm, Wrist, and Hand Complaints 2004, and Knee Complaints 2004, Section(s): Initial Care, and Chronic Pain Medical Treatment 2016, Section(s): Tramadol (Ultram), and Opioid Treatment 2016.',
    expected: [
      mtus('Shoulder Complaints', 2004, ['Initial Care', 'Follow-up Visits']),
      mtus('Elbow Complaints', 2007),
      mtus('Forearm, Wrist, and Hand Complaints', 2004),
      mtus('Knee Complaints', 2004, ['Initial Care']),
      mtus('Chronic Pain Medical Treatment', 2016, ['Tramadol (Ultram)']),
      mtus('Opioid Treatment', 2016),
    ],
  },

  // --- MTUS, 2013-2015 style: no edition year, "Page(s):" ---
  {
    name: 'old style with a regulation number and pages',
    input:
      'Decision based on MTUS Chronic Pain Treatment Guidelines 9792.24.2, Physical Medicine Page(s): 60, 98-99. Decision based on Non-MTUS Citation Official Disability Guidelines (ODG) Low Back, Physical Therapy.',
    expected: [
      mtus(
        'Chronic Pain Treatment Guidelines',
        null,
        ['9792.24.2', 'Physical Medicine'],
        ['60', '98-99'],
      ),
      odg(['Low Back', 'Physical Therapy']),
    ],
  },
  {
    name: 'an ACOEM chapter adopted into MTUS is an MTUS citation',
    input: 'Decision based on MTUS ACOEM Chapter 12 Low Back Complaints Page(s): 303-305.',
    expected: [mtus('ACOEM Chapter 12 Low Back Complaints', null, [], ['303-305'])],
  },
  {
    name: 'old style title alone',
    input: 'Decision based on MTUS Acupuncture Treatment Guidelines.',
    expected: [mtus('Acupuncture Treatment Guidelines', null)],
  },
  {
    name: 'old style "pages 8-9" folds into pages',
    input:
      'Decision based on MTUS Chronic Pain Treatment Guidelines ACUPUNCTURE MEDICAL TREATMENT GUIDELINES, pages 8-9 Page(s): 8-9.',
    expected: [
      mtus(
        'Chronic Pain Treatment Guidelines',
        null,
        ['ACUPUNCTURE MEDICAL TREATMENT GUIDELINES'],
        ['8-9'],
      ),
    ],
  },
  {
    name: 'old style topic after the title',
    input:
      'Decision based on MTUS Chronic Pain Treatment Guidelines Functional Restoration Programs (FRPs) Page(s): 49.',
    expected: [
      mtus(
        'Chronic Pain Treatment Guidelines',
        null,
        ['Functional Restoration Programs (FRPs)'],
        ['49'],
      ),
    ],
  },

  // --- Non-MTUS: ODG and ACOEM ---
  {
    name: 'MTUS then ODG chapter and topic',
    input:
      'Decision based on MTUS Low Back Complaints 2004. Decision based on Non-MTUS Citation Official Disability Guidelines (ODG) Low Back Chapter, Radiography (x-rays).',
    expected: [
      mtus('Low Back Complaints', 2004),
      odg(['Low Back Chapter', 'Radiography (x-rays)']),
    ],
  },
  {
    name: '"Non- MTUS Citation" and an appended "Other Medical Treatment Guidelines"',
    input:
      'Decision based on MTUS Low Back Complaints 2004, Section(s): Physical Methods. Decision based on Non- MTUS Citation Official Disability Guidelines (ODG) Low Back (Thoracic and Lumbar, Acute and Chronic) Chapter, Epidural Steroid Injection (ESI) and Other Medical Treatment Guidelines www.mdguidelines.com.',
    expected: [
      mtus('Low Back Complaints', 2004, ['Physical Methods']),
      odg([
        'Low Back (Thoracic and Lumbar, Acute and Chronic) Chapter',
        'Epidural Steroid Injection (ESI)',
      ]),
      other('www.mdguidelines.com'),
    ],
  },
  {
    name: '"Non-MTUS" without "Citation", after a boilerplate sentence',
    input: `${CA_OUTSIDE} Decision based on Non-MTUS Official Disability Guidelines (ODG), Pain.`,
    expected: [odg(['Pain'])],
  },
  {
    name: 'ODG edition and year',
    input: `${CA_OUTSIDE} Decision based on Non-MTUS Citation ODG Guidelines, 14th Edition, 2016, Knee Chapter.`,
    expected: [odg(['Knee Chapter'], 2016)],
  },
  {
    name: 'ODG year before the chapter',
    input:
      'Decision based on Non-MTUS Citation Official Disability Guidelines (ODG) 2016 Shoulder Chapter: MR arthrogram.',
    expected: [odg(['Shoulder Chapter', 'MR arthrogram'], 2016)],
  },
  {
    name: 'ODG "(updated ...)" and "Online Version" notes are dropped',
    input:
      'Decision based on Non-MTUS Citation Official Disability Guidelines, Elbow (updated 11/23/16): Magnetic Resonance Imaging, Pain Chapter (Online Version) Diclofenac.',
    expected: [odg(['Elbow', 'Magnetic Resonance Imaging', 'Pain Chapter', 'Diclofenac'])],
  },
  {
    name: 'several ODG mentions in one sentence make one ODG citation',
    input: `${CA_OUTSIDE} Decision based on Non-MTUS Citation Official Disability Guidelines, Shoulder (updated 12/12/16); ODG, Low Back (updated 12/20/16).`,
    expected: [odg(['Shoulder', 'Low Back'])],
  },
  {
    name: 'text before the ODG name belongs to ODG',
    input:
      'Decision based on Non-MTUS Citation Shoulder (Acute & Chronic), Physical Therapy, ODG Preface – Physical Therapy.',
    expected: [
      odg(['Shoulder (Acute & Chronic)', 'Physical Therapy', 'Preface – Physical Therapy']),
    ],
  },
  {
    name: 'ACOEM and ODG named together',
    input: `${CA_OUTSIDE} Decision based on Non-MTUS Citation ACOEM guidelines and the Official Disability Guidelines.`,
    expected: [acoem(), odg()],
  },
  {
    name: 'ACOEM by its full name',
    input:
      'Decision based on Non-MTUS Citation American College of Occupational and Environmental Medicine (ACOEM) Pain, Suffering, and the Restoration of Function Chapter.',
    expected: [acoem(['Pain, Suffering, and the Restoration of Function Chapter'])],
  },
  {
    name: 'ACOEM chapter with a page',
    input: `${CA_OUTSIDE} Decision based on Non-MTUS Citation ACOEM Guidelines, Chapter 7, Independent Medical Examinations and Consultations, page 137.`,
    expected: [acoem(['Chapter 7', 'Independent Medical Examinations and Consultations'], ['137'])],
  },
  {
    name: 'ODG and ACOEM joined by "and Other Medical Treatment Guidelines"',
    input: `${ER_OUTSIDE} Decision based on Non-MTUS Citation Official Disability Guidelines (ODG) Hips and Pelvis (Acute and Chronic), MRI (magnetic resonance imaging) and Other Medical Treatment Guidelines ACOEM Hip and Groin Disorders, Diagnostic Testing, MRI.`,
    expected: [
      odg(['Hips and Pelvis (Acute and Chronic)', 'MRI (magnetic resonance imaging)']),
      acoem(['Hip and Groin Disorders', 'Diagnostic Testing', 'MRI']),
    ],
  },

  // --- Other references ---
  {
    name: 'a textbook keeps its full text as title',
    input:
      "Decision based on MTUS Forearm, Wrist, and Hand Complaints 2004, Section(s): Surgical Considerations. Decision based on Non-MTUS Citation Green's Operative Hand Surgery, 6th ed Chapter 17: Distal Radius Fractures.",
    expected: [
      mtus('Forearm, Wrist, and Hand Complaints', 2004, ['Surgical Considerations']),
      other("Green's Operative Hand Surgery, 6th ed Chapter 17: Distal Radius Fractures"),
    ],
  },
  {
    name: 'periods inside a reference do not split it',
    input: `${CA_OUTSIDE} Decision based on Non-MTUS Citation University of Michigan Health System. Gastroesophageal reflux disease (GERD). Ann Arbor (MI): University of Michigan Health System; 2007 Jan. 10.`,
    expected: [
      other(
        'University of Michigan Health System. Gastroesophageal reflux disease (GERD). Ann Arbor (MI): University of Michigan Health System; 2007 Jan. 10',
      ),
    ],
  },
  {
    name: 'a web page',
    input: `${CA_OUTSIDE} Decision based on Non-MTUS Citation http://www.drugs.com/famotidine.html.`,
    expected: [other('http://www.drugs.com/famotidine.html')],
  },
  {
    name: 'a topic with no guideline named is Other',
    input: `${ER_OUTSIDE} Decision based on Non-MTUS Citation Low Back (Hyperstimulation analgesia).`,
    expected: [other('Low Back (Hyperstimulation analgesia)')],
  },

  // --- No citation, boilerplate, labels, unrecognised text ---
  {
    name: 'Claims Administrator cited nothing',
    input: 'The Claims Administrator did not cite any medical evidence for its decision.',
    expected: [],
  },
  {
    name: 'Expert Reviewer cited nothing',
    input: 'The Expert Reviewer did not cite any medical evidence for its decision.',
    expected: [],
  },
  {
    name: '"did not base their decision on the MTUS" and no final period',
    input:
      'The Claims Administrator did not base their decision on the MTUS. Decision based on Non-MTUS Citation Official Disability Guidelines (ODG), Neck and Upper Back',
    expected: [odg(['Neck and Upper Back'])],
  },
  {
    name: 'a leading label and unjoined whitespace are tolerated',
    input:
      'MAXIMUS guideline:  Decision based on MTUS Knee Complaints 2004,\n Section(s): Special Studies.',
    expected: [mtus('Knee Complaints', 2004, ['Special Studies'])],
  },
  {
    name: 'unrecognised text becomes one Other citation',
    input: 'See the attached medical literature.',
    expected: [other('See the attached medical literature')],
  },
  { name: 'empty text', input: '   ', expected: [] },
];

describe('parseCitations', () => {
  it.each(cases)('$name', ({ input, expected }) => {
    const actual = parseCitations(input);
    expect(actual).toEqual(expected);
    for (const citation of actual) expect(citationSchema.safeParse(citation).success).toBe(true);
  });
});

describe('parseCitations robustness', () => {
  const adversarial: string[] = [
    'Section(s): '.repeat(1700),
    ', and '.repeat(3400),
    'a'.repeat(20_000),
    `Decision based on MTUS ${'Section(s): '.repeat(1700)}`,
    `Decision based on MTUS Chronic Pain 2016, Section(s): ${'Ab Cd, and '.repeat(1800)}`,
    `Decision based on MTUS ${'Aaaa Bbbb, '.repeat(2000)} 2016`,
    `Decision based on MTUS ${'A '.repeat(10_000)}2016`,
    `Decision based on Non-MTUS Citation ${'ODG '.repeat(5000)}`,
    `Decision based on Non-MTUS Citation ODG ${'(updated '.repeat(2200)}`,
    `Decision based on Non-MTUS Citation ODG ${', ; : . '.repeat(2500)}`,
    `Decision based on Non-MTUS Citation ODG ${'('.repeat(20_000)}`,
    `Decision based on Non-MTUS Citation ODG ${'Forearm, '.repeat(2200)}`,
    '. Decision based on'.repeat(1050),
    `Decision based on MTUS X Page(s): ${'1, '.repeat(6600)}`,
    `Decision based on MTUS Opioid Treatment 2016, Section(s): ${'3.3 x, '.repeat(2900)}`,
    ' and'.repeat(5000),
  ];

  it.each(adversarial.map((text, i) => ({ i, text })))(
    'adversarial input #$i finishes quickly',
    ({ text }) => {
      parseCitations(text.slice(0, 100)); // warm up the JIT so that only the parse is timed
      const started = performance.now();
      const result = parseCitations(text);
      const elapsed = performance.now() - started;
      expect(Array.isArray(result)).toBe(true);
      // Catastrophic backtracking on 20,000 characters takes seconds; a linear parse, ~2 ms.
      expect(elapsed).toBeLessThan(500);
    },
  );

  it('never throws and always returns valid citations on random guideline-like text', () => {
    const token = fc.constantFrom(
      'Decision based on ',
      'MTUS ',
      'Non-MTUS Citation ',
      'Official Disability Guidelines (ODG)',
      'ACOEM ',
      ', and ',
      'Section(s): ',
      'Page(s): ',
      ', ',
      '. ',
      '(',
      ')',
      '[',
      ': ',
      '; ',
      '2016 ',
      '3.3.6 ',
      'Chronic Pain ',
      'lowercase ',
      'NSAIDs',
      'Forearm',
      '& ',
      'and ',
      '(updated 11/23/16)',
      'The Claims Administrator did not cite any medical evidence for its decision.',
    );
    const text = fc.oneof(
      fc.array(token, { maxLength: 40 }).map((parts) => parts.join('')),
      fc.string({ maxLength: 200 }),
    );
    fc.assert(
      fc.property(text, (input) => {
        const result = parseCitations(input);
        for (const citation of result) expect(citationSchema.parse(citation)).toEqual(citation);
      }),
      { numRuns: 2000 },
    );
  });
});
