import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Determination } from '../../shared/record/determination.ts';
import { parseLetter, parseLetterText } from '../../shared/parser/parse-letter.ts';
import {
  renderLetter,
  type LetterSpec,
  type RenderOptions,
} from '../../synthetic/render-letter.ts';
import { corpusPdfs, HAVE_LETTERS } from '../support/letters.ts';

// Every corpus letter, re-laid out as other extractors and page widths would break it: the
// real requests, guidelines and rationales wrapped at other widths, decisions moved onto their
// own lines, blank lines between lines. The items must come out the same.
const usDate = (iso: string | null): string => {
  if (iso === null) return '';
  const [y, m, d] = iso.split('-');
  return `${m}/${d}/${y}`;
};

function specOf(d: Determination): LetterSpec {
  return {
    caseNumber: d.caseNumber,
    dates: {
      assigned: usDate(d.dates.assigned),
      injury: usDate(d.dates.injury),
      decision: usDate(d.dates.decision),
      urDenial: usDate(d.dates.urDenial),
      applicationReceived: usDate(d.dates.applicationReceived),
    },
    priority: d.priority ?? 'Standard',
    licensure: d.reviewer.licensure,
    specialties: d.reviewer.specialties,
    summary: d.summary ?? '',
    items: d.issues.map((i) => ({
      request: i.request,
      ...(i.originalRequest !== null && i.authorizedPortion !== null
        ? { modified: { original: i.originalRequest, authorized: i.authorizedPortion } }
        : {}),
      decision: i.decision === 'upheld' ? 'Upheld' : 'Overturned',
      claimsAdministratorGuideline: i.claimsAdministratorGuideline ?? '',
      reviewerGuideline: i.reviewerGuideline ?? '',
      rationale: i.rationale,
    })),
  };
}

const items = (d: Determination): unknown =>
  d.issues.map((i) => [
    i.request,
    i.originalRequest,
    i.authorizedPortion,
    i.decision,
    i.conclusion,
  ]);

const variants: [string, RenderOptions][] = [
  ['narrow (35 columns)', { layout: 'full-letter', width: 35 }],
  [
    'wide (150 columns), labels then values',
    { layout: 'full-letter', width: 150, header: 'columns' },
  ],
  [
    'decisions on their own line, 70 columns',
    { layout: 'full-letter', width: 70, decisionOnOwnLine: true },
  ],
  ['body only with blank lines, 88 columns', { layout: 'body-only', width: 88, blankLines: true }],
  [
    'very narrow (22 columns), decisions on their own line',
    { layout: 'full-letter', width: 22, decisionOnOwnLine: true },
  ],
  [
    'page footers and running headers every 40 lines',
    { layout: 'full-letter', width: 90, pageLines: 40 },
  ],
];

describe.skipIf(!HAVE_LETTERS)('corpus letters re-wrapped', () => {
  const parsed: Determination[] = [];
  beforeAll(async () => {
    for (const path of corpusPdfs())
      parsed.push(await parseLetter(new Uint8Array(await readFile(path)), path));
  });

  it.each(variants)('%s', (_name, options) => {
    for (const d of parsed) {
      // "The Claims Administrator authorized X, leaving ..." re-renders in the other wording.
      const again = parseLetterText(renderLetter(specOf(d), options), d.source);
      expect(items(again), d.source).toEqual(items(d));
      expect(again.reviewer, d.source).toEqual(d.reviewer);
    }
  });
});
