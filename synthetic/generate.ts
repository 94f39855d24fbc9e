import type { CitationSource } from '../shared/record/index.ts';
import { SYNTHETIC_MARKER } from '../shared/parser/index.ts';
import type { Category } from '../shared/taxonomy/index.ts';
import { guidelinesFor } from './guidelines.ts';
import { mailedParties, mailLetter, type MailedParties } from './mailed.ts';
import { renderPdf } from './pdf.ts';
import { caseSummary, rationale, reviewer } from './prose.ts';
import { Random } from './random.ts';
import {
  renderLetter,
  type LetterItem,
  type LetterSpec,
  type RenderOptions,
} from './render-letter.ts';
import {
  CATEGORY_WEIGHTS,
  makeRequest,
  pickRegion,
  type Expected,
  type Region,
  type Request,
} from './requests.ts';

/** A disputed item of a generated letter, with what the parser must read from it. */
export interface SyntheticItem extends LetterItem {
  expected: Expected;
  /** Source of each citation in the reviewer's guideline paragraph, in order. */
  citationSources: CitationSource[];
}

/** A generated letter: what it says (LetterSpec), how its text is laid out, and the facts behind it. */
export interface SyntheticLetterSpec extends LetterSpec {
  marker: string;
  index: number;
  seed: number;
  caseNumber: string;
  layout: 'full-letter' | 'body-only';
  /** How the text form looks: the header style and the extraction artefacts it imitates. */
  textStyle: Pick<RenderOptions, 'header' | 'width' | 'blankLines' | 'lineEnding'>;
  /** The dates as the parser reports them ("YYYY-MM-DD"). */
  isoDates: {
    assigned: string;
    injury: string;
    decision: string;
    urDenial: string;
    applicationReceived: string;
  };
  patient: { age: number; sex: 'female' | 'male' };
  diagnoses: string[];
  items: SyntheticItem[];
}

/** The last index: case numbers are CMyy-9nnnnnn, their 7 digits 9,000,000 plus the index. */
export const MAX_INDEX = 999_999;
const CASE_BASE = 9_000_000;

// Published letters per decision year, roughly (DWC: 184,735 in 2018, 141,621 in 2024).
const YEAR_WEIGHTS: readonly (readonly [number, number])[] = [
  [2014, 8],
  [2015, 10],
  [2016, 11],
  [2017, 11],
  [2018, 11],
  [2019, 10],
  [2020, 9],
  [2021, 9],
  [2022, 8],
  [2023, 8],
  [2024, 8],
];

// Items per letter, 1 to 6: mean 2.31 (docs/DOMAIN.md: about 2.3).
const ITEM_COUNT_WEIGHTS: readonly (readonly [number, number])[] = [
  [1, 36],
  [2, 28],
  [3, 17],
  [4, 10],
  [5, 6],
  [6, 3],
];

// Share of items overturned by category: behavioural health and E&M most often (docs/DOMAIN.md),
// the average near 10%; scaled up over the years (8.4% in 2016, 12.7% in 2024).
const OVERTURN_RATE: Readonly<Record<Category, number>> = {
  Pharmaceuticals: 0.08,
  'Diagnostic Testing': 0.1,
  Rehabilitation: 0.11,
  DMEPOS: 0.07,
  Injections: 0.1,
  Surgery: 0.12,
  'Evaluation & Management': 0.22,
  'Psych Services': 0.24,
  Programs: 0.1,
  'Home Health': 0.12,
  Transportation: 0.1,
  Other: 0.08,
};
const yearFactor = (year: number): number => 0.85 + 0.04 * (year - 2014);

const MODIFIED_RATE = 0.1; // of items with a count (about half), so about 5% of all items
const DECISION_ON_OWN_LINE_RATE = 0.1;
const DAY = 86_400_000;

const usDate = (d: Date): string =>
  `${String(d.getUTCMonth() + 1).padStart(2, '0')}/${String(d.getUTCDate()).padStart(2, '0')}/${d.getUTCFullYear()}`;
const isoDate = (d: Date): string => d.toISOString().slice(0, 10);
const daysBefore = (d: Date, days: number): Date => new Date(d.getTime() - days * DAY);

/** A weekday in the given year: decisions are dated on working days. */
function decisionDate(r: Random, year: number): Date {
  const start = Date.UTC(year, 0, 1);
  const days = (Date.UTC(year + 1, 0, 1) - start) / DAY;
  // Away from the year's ends, so that moving a weekend to a weekday keeps the year.
  const d = new Date(start + r.int(3, days - 4) * DAY);
  const weekday = d.getUTCDay();
  return weekday === 6 ? daysBefore(d, 1) : weekday === 0 ? daysBefore(d, -1) : d;
}

/** The case number of letter `index` decided in `year`: CMyy-9nnnnnn. */
export function syntheticCaseNumber(index: number, year: number): string {
  if (!Number.isInteger(index) || index < 0 || index > MAX_INDEX) {
    throw new RangeError(
      `synthetic letter index must be an integer from 0 to ${MAX_INDEX}: ${index}`,
    );
  }
  return `CM${String(year % 100).padStart(2, '0')}-${CASE_BASE + index}`;
}

function modify(r: Random, request: Request): LetterItem['modified'] & { remaining: string } {
  const count = request.count!;
  const n = count.n;
  const authorized = Math.max(1, Math.min(n - 1, Math.round(n * r.pick([1 / 3, 1 / 2, 2 / 3]))));
  const wording = r.chance(0.8) ? 'remaining-portion' : 'original-eligible';
  const original = count.build(n);
  return {
    original,
    authorized: count.build(authorized),
    wording,
    // In the second wording the whole original request stays in dispute.
    remaining: wording === 'remaining-portion' ? count.build(n - authorized) : original,
  };
}

function makeItem(r: Random, request: Request, region: Region, year: number): SyntheticItem {
  const { category } = request.expected;
  const upheld = !r.chance(OVERTURN_RATE[category] * yearFactor(year));
  const canModify =
    request.count !== undefined && request.count.n >= 2 && !request.text.startsWith('Associated');
  const modified = canModify && r.chance(MODIFIED_RATE) ? modify(r, request) : undefined;
  const text = modified?.remaining ?? request.text;
  const guidelines = guidelinesFor(r, request.topic, region, year);
  const item: SyntheticItem = {
    request: text,
    decision: upheld ? 'Upheld' : 'Overturned',
    claimsAdministratorGuideline: guidelines.claimsAdministrator,
    reviewerGuideline: guidelines.reviewer,
    rationale: rationale(r, request.expected, text, request.short, upheld),
    expected: request.expected,
    citationSources: guidelines.reviewerSources,
  };
  if (modified !== undefined) {
    item.modified = {
      original: modified.original,
      authorized: modified.authorized,
      wording: modified.wording,
    };
  }
  if (r.chance(DECISION_ON_OWN_LINE_RATE)) item.decisionOnOwnLine = true;
  return item;
}

/** The letter at `index` of the synthetic series `seed`: the same pair always gives the same letter. */
export function generateSpec(index: number, seed: number): SyntheticLetterSpec {
  const r = new Random(seed, index);
  const year = r.weighted(YEAR_WEIGHTS);
  const caseNumber = syntheticCaseNumber(index, year);
  const decision = decisionDate(r, year);
  const assigned = daysBefore(decision, r.int(7, 30));
  const applicationReceived = daysBefore(assigned, r.int(1, 10));
  const urDenial = daysBefore(applicationReceived, r.int(3, 25));
  const lastVisit = daysBefore(urDenial, r.int(5, 40));
  const injury = daysBefore(urDenial, r.int(120, 4500));

  const primary = pickRegion(r);
  const regions = r.chance(0.3) ? [primary, pickRegion(r, primary.name)] : [primary];
  const categories = Array.from({ length: r.weighted(ITEM_COUNT_WEIGHTS) }, () =>
    r.weighted(CATEGORY_WEIGHTS),
  );
  const surgical = categories.includes('Surgery');
  const items: SyntheticItem[] = [];
  const seen = new Set<string>();
  for (const category of categories) {
    // A letter does not dispute the same request twice; a few tries find a different one.
    let request: Request | undefined;
    let region = primary;
    for (
      let attempt = 0;
      attempt < 5 && (request === undefined || seen.has(request.text));
      attempt++
    ) {
      region = regions.length > 1 && r.chance(0.3) ? regions[1]! : primary;
      request = makeRequest(r, category, { region, surgical });
    }
    if (request === undefined || seen.has(request.text)) continue;
    seen.add(request.text);
    items.push(makeItem(r, request, region, year));
  }

  const sex = r.chance(0.45) ? 'female' : 'male';
  const age = r.int(22, 68);
  const summary = caseSummary(r, {
    age,
    sex,
    injury,
    urDenial,
    lastVisit,
    regions,
    modified: items.some((i) => i.modified !== undefined),
  });
  const layout = r.chance(year <= 2015 ? 0.4 : 0.05) ? 'body-only' : 'full-letter';
  const { specialties, licensure } = reviewer(r, items[0]!.expected.category);

  return {
    marker: SYNTHETIC_MARKER,
    index,
    seed,
    caseNumber,
    layout,
    textStyle: {
      header: r.chance(0.7) ? 'inline' : 'columns',
      width: r.int(80, 100),
      blankLines: r.chance(layout === 'body-only' ? 0.6 : 0.1),
      lineEnding: r.chance(0.1) ? '\r\n' : '\n',
    },
    dates: {
      assigned: usDate(assigned),
      injury: usDate(injury),
      decision: usDate(decision),
      urDenial: usDate(urDenial),
      applicationReceived: usDate(applicationReceived),
    },
    isoDates: {
      assigned: isoDate(assigned),
      injury: isoDate(injury),
      decision: isoDate(decision),
      urDenial: isoDate(urDenial),
      applicationReceived: isoDate(applicationReceived),
    },
    priority: r.chance(0.03) ? 'Expedited' : 'Standard',
    licensure,
    specialties,
    patient: { age, sex },
    summary: summary.text,
    diagnoses: summary.diagnoses,
    items,
  };
}

/** The letter as text, as a PDF-to-text tool would give it (layout and style from the spec). */
export function renderSyntheticText(spec: SyntheticLetterSpec): string {
  return renderLetter(spec, { layout: spec.layout, ...spec.textStyle });
}

/** The letter as a PDF: the text laid out in lines, 55 to a page (the cover first when mailed). */
export function renderSyntheticPdf(spec: SyntheticLetterSpec, mailed?: MailedParties): Uint8Array {
  const letter = renderLetter(spec, { layout: spec.layout, header: 'inline', width: 95 });
  const text = mailed === undefined ? letter : mailLetter(letter, mailed);
  return renderPdf(text.trimEnd().split('\n'), {
    title: `Synthetic IMR letter ${spec.caseNumber} - not a real determination`,
  });
}

export type LetterFormat = 'text' | 'pdf';

/** The file name of generated letter `index` (its case number), without rendering it. */
export function syntheticFileName(index: number, seed: number, format: LetterFormat): string {
  return fileNameOf(generateSpec(index, seed), format);
}

function fileNameOf(spec: SyntheticLetterSpec, format: LetterFormat): string {
  return `${spec.caseNumber}.${format === 'pdf' ? 'pdf' : 'txt'}`;
}

/** A generated letter file: its name (the case number), its bytes and the spec it was made from. */
export function generateLetter(
  index: number,
  seed: number,
  format: LetterFormat,
  options: { mailed?: boolean } = {},
): { fileName: string; bytes: Uint8Array; spec: SyntheticLetterSpec } {
  const spec = generateSpec(index, seed);
  // A mailed letter is the same letter behind a cover page naming invented parties.
  const parties = options.mailed === true ? mailedParties(index, seed) : undefined;
  const text = (): string => {
    const letter = renderSyntheticText(spec);
    return parties === undefined ? letter : mailLetter(letter, parties);
  };
  const bytes =
    format === 'pdf' ? renderSyntheticPdf(spec, parties) : new TextEncoder().encode(text());
  return { fileName: fileNameOf(spec, format), bytes, spec };
}
