import {
  determinationSchema,
  outcomeOf,
  type Determination,
  type Issue,
  type Layout,
  type TextSource,
  type Citation,
  DATE_FIELDS,
  type LetterFlag,
} from '../record/index.ts';
import { LetterFormatError } from '../errors.ts';
import { readCover, scrubberFor, type Redacted } from '../privacy/index.ts';
import { findCaseNumber, isCaseNumberLine, resolveCaseNumber } from './case-number.ts';
import { classifyRequest } from '../taxonomy/index.ts';
import { parseCitations } from './citations.ts';
import { rationaleConclusion } from './conclusion.ts';
import { readLetterText } from './extract-text.ts';
import { parseHeader } from './header.ts';
import { readItems, type RawItem } from './items.ts';
import { PARSE_LIMITS, type ParseLimits } from './limits.ts';
import { readLegacy } from './legacy.ts';
import { flagUncertain } from './ocr-flags.ts';
import type { OcrOptions, OcrResult } from './ocr.ts';
import { joinLines, toLines } from './normalize.ts';
import { readReviewer } from './reviewer.ts';
import { applySummary } from './summary.ts';
import { isSyntheticLetter } from './synthetic.ts';

const HEADINGS = {
  how: /^HOW THE IMR FINAL DETERMINATION WAS MADE$/i,
  summary: /^CLINICAL CASE SUMMARY:?$/i,
  issues: /^IMR ISSUES,? DECISIONS,? AND RATIONALES:?$/i,
} as const;

const summaryBoilerplateRe =
  /^The expert reviewer developed the following clinical case summary based on a review of the case file, including all medical records:\s*/i;

/** What every layout's reader hands back, before classification and validation. */
export interface LetterParts {
  layout: Layout;
  caseNumber: string | null;
  dates: Determination['dates'];
  priority: Determination['priority'];
  reviewer: Determination['reviewer'];
  summary: string | null;
  patient: Determination['patient'];
  diagnoses: string[];
  items: RawItem[];
  flags: LetterFlag[];
}

/**
 * The most disputed items one letter may carry. Real letters list a handful; the bound keeps
 * every write of a letter within DynamoDB's request limits (docs/DATA-MODEL.md, "Limits").
 */
export const MAX_ITEMS = 100;

/**
/**
 * Parses a letter's bytes (PDF or UTF-8 text) into a validated Determination, in this thread: a
 * scan is read by OCR (`options`: told it is a scan, and OCR's progress); within the page and
 * character limits (a scan's own, forScan), but not the time and memory ones
 * (parseLetterSandboxed in parse-sandbox.ts applies all of them to files from outside).
 */
export async function parseLetter(
  bytes: Uint8Array,
  fileName: string,
  limits: ParseLimits = PARSE_LIMITS,
  options: OcrOptions = {},
): Promise<Determination> {
  const read = await readLetterText(bytes, fileName, limits, options);
  return parseLetterText(read.text, fileName, { textSource: read.source, ocr: read.ocr });
}

/** How the text given to parseLetterText was obtained. */
export interface TextOrigin {
  textSource: TextSource;
  /** For OCR'd text: what Tesseract was unsure of, so those fields are flagged. */
  ocr?: OcrResult | undefined;
}

/** Parses a letter's extracted text into a validated Determination, or throws LetterFormatError. */
export function parseLetterText(
  text: string,
  fileName: string,
  origin: TextOrigin = { textSource: 'plain-text' },
): Determination {
  const lines = toLines(text);
  // A copy as mailed to the parties opens with a cover page: read what it names, then parse the
  // letter after it, as the DWC's published copy reads.
  const cover = readCover(lines, firstStandardHeading(lines));
  const letter = cover.end > 0 ? lines.slice(cover.end) : lines;
  const parts = readStandard(letter, fileName) ?? readLegacy(letter, fileName);
  if (parts === null) throw unknownLayout(lines, fileName);
  if (isSyntheticLetter(lines)) parts.flags.push('synthetic');
  const record = assemble(parts, fileName, origin.textSource, scrubberFor(cover.identifiers));
  return origin.ocr === undefined ? record : flagUncertain(record, origin.ocr);
}

// The first heading of the 2014-2017 layouts; 0 (no room for a cover) for the older ones.
function firstStandardHeading(lines: readonly string[]): number {
  if (indexOfHeading(lines, HEADINGS.issues) < 0) return 0;
  return Object.values(HEADINGS)
    .map((re) => indexOfHeading(lines, re))
    .filter((i) => i >= 0)
    .reduce((a, b) => Math.min(a, b));
}

function unknownLayout(lines: readonly string[], fileName: string): LetterFormatError {
  const expected =
    'expected the section "IMR ISSUES, DECISIONS AND RATIONALES" (letters from 2014 on) or the ' +
    'headings of an older layout ("IMR DECISION(S) AND RATIONALE(S)", "ISSUE AT DISPUTE:", ' +
    '"Notice of Independent Medical Review Determination")';
  const caseNumber = findCaseNumber(lines.slice(0, 40).join(' '));
  if (caseNumber !== null) {
    return new LetterFormatError(
      'unknown-layout',
      `${fileName} names case ${caseNumber} but its decisions section is missing: ${expected}. ` +
        'A page may be missing; send the complete letter.',
    );
  }
  const start = joinLines(lines.slice(0, 3));
  const found = clip(start, 100);
  return new LetterFormatError(
    'unknown-layout',
    `${fileName} is not a recognised IMR final determination letter: ${expected}; found ` +
      (found === '' ? 'no text' : `"${found}${found.length < start.length ? '...' : ''}"`),
  );
}

// At most `n` characters, cut between code points: a cut inside a surrogate pair (an emoji) would
// leave a lone surrogate, which is not Unicode, in a message that is stored and sent as UTF-8.
function clip(text: string, n: number): string {
  return Array.from(text).slice(0, n).join('');
}

function indexOfHeading(lines: readonly string[], re: RegExp, from = 0): number {
  for (let i = from; i < lines.length; i++) if (re.test(lines[i]!)) return i;
  return -1;
}

/** The 2014-2017 layouts: an optional header table, then the three standard sections. */
function readStandard(lines: readonly string[], fileName: string): LetterParts | null {
  const issuesAt = indexOfHeading(lines, HEADINGS.issues);
  if (issuesAt < 0) return null;
  const howAt = indexOfHeading(lines, HEADINGS.how);
  const summaryAt = indexOfHeading(lines, HEADINGS.summary);
  const flags: LetterFlag[] = [];

  const firstHeading = [howAt, summaryAt, issuesAt]
    .filter((i) => i >= 0)
    .reduce((a, b) => Math.min(a, b));
  const header = parseHeader(lines.slice(0, firstHeading).join('\n'));
  const layout: Layout = header.labelsFound >= 2 ? 'full-letter' : 'body-only';

  if (howAt < 0) flags.push('missing-section:how-the-determination-was-made');
  if (summaryAt < 0) flags.push('missing-section:clinical-case-summary');
  const end = (start: number): number =>
    [howAt, summaryAt, issuesAt, lines.length]
      .filter((i) => i > start)
      .reduce((a, b) => Math.min(a, b));

  const reviewer =
    howAt >= 0
      ? readReviewer(lines.slice(howAt + 1, end(howAt)))
      : { specialties: [], licensure: [] };
  const summaryText =
    summaryAt >= 0
      ? joinLines(lines.slice(summaryAt + 1, end(summaryAt))).replace(summaryBoilerplateRe, '')
      : null;

  const dates = { ...header.dates };
  for (const field of header.unreadable) flags.push(`unparsed-date:${field}`);
  if (layout === 'full-letter') {
    // Every date of the record is one the full layout's header states.
    for (const field of DATE_FIELDS) {
      if (dates[field] === null && !header.unreadable.includes(field))
        flags.push(`missing-date:${field}`);
    }
    if (header.caseNumber === null) flags.push('missing-case-number');
    if (header.priority === null) flags.push('missing-priority');
  }
  const fromSummary = applySummary(summaryText, dates);
  for (const field of fromSummary.unreadableDates) flags.push(`unparsed-date:${field}`);

  const caseNumber = resolveCaseNumber(header.caseNumber, fileName, flags);

  return {
    layout,
    caseNumber,
    dates,
    priority: header.priority,
    reviewer,
    summary: fromSummary.summary,
    patient: fromSummary.patient,
    diagnoses: fromSummary.diagnoses,
    // A running header repeats the case number at the top of each page, between items.
    items: readItems(lines.slice(issuesAt + 1).filter((l) => !isCaseNumberLine(l))),
    flags,
  };
}

function toIssue(raw: RawItem, ordinal: number, fileName: string): Issue {
  const flags = [...raw.flags];
  const conclusion = rationaleConclusion(raw.rationale);
  const concluded =
    conclusion === 'not medically necessary'
      ? 'upheld'
      : conclusion === 'medically necessary'
        ? 'overturned'
        : null;
  let decision = raw.decision;
  if (decision === null) {
    if (concluded === null) {
      throw new LetterFormatError(
        'unknown-layout',
        `${fileName}: item ${ordinal} ("${clip(raw.request, 60)}") has neither a decision ` +
          `(": Upheld" or ": Overturned") nor a rationale concluding "(not) medically necessary".`,
      );
    }
    decision = concluded;
    flags.push('decision-inferred-from-rationale');
  } else if (concluded === null) {
    flags.push('rationale-conclusion-missing');
  } else if (concluded !== decision) {
    flags.push('decision-conflicts-with-rationale');
  }
  const taxonomy = classifyRequest(raw.request);
  // Other is the taxonomy's last resort: an item that lands there is worth a person's look.
  if (taxonomy.category === 'Other') flags.push('category-other');
  return {
    ordinal,
    request: raw.request,
    originalRequest: raw.originalRequest,
    authorizedPortion: raw.authorizedPortion,
    decision,
    ...taxonomy,
    claimsAdministratorGuideline: raw.claimsAdministratorGuideline,
    reviewerGuideline: raw.reviewerGuideline,
    citations: raw.reviewerGuideline !== null ? parseCitations(raw.reviewerGuideline) : [],
    claimsAdministratorCitations:
      raw.claimsAdministratorGuideline !== null
        ? parseCitations(raw.claimsAdministratorGuideline)
        : [],
    rationale: raw.rationale,
    conclusion,
    flags,
  };
}

function assemble(
  parts: LetterParts,
  fileName: string,
  textSource: TextSource,
  redact: (text: string) => Redacted,
): Determination {
  const usable = parts.items.filter((i) => i.request !== '' || i.rationale !== '');
  if (usable.length === 0) {
    throw new LetterFormatError(
      'no-issues',
      `${fileName} has the layout of an IMR letter but no disputed items: expected request lines ` +
        `ending in ": Upheld" or ": Overturned", each followed by "Decision rationale:".`,
    );
  }
  if (usable.length > MAX_ITEMS) {
    throw new LetterFormatError(
      'too-many-items',
      `${fileName} lists ${usable.length} disputed items; an IMR letter has at most ${MAX_ITEMS} ` +
        '(real letters have a handful). Check that the file is one determination letter, not ' +
        'several joined together, and send each letter on its own.',
    );
  }
  const issues = usable.map((raw, i) => toIssue(raw, i + 1, fileName));
  for (const issue of issues) {
    if (issue.request === '')
      throw new LetterFormatError(
        'unknown-layout',
        `${fileName}: item ${issue.ordinal} has no request text.`,
      );
  }
  const flags = [...parts.flags];
  if (parts.reviewer.specialties.length === 0) flags.push('missing-reviewer-specialty');
  // Originals (not the DWC's redacted copies) can name people; the record never carries that.
  let replaced = 0;
  const scrub = <T extends string | null>(text: T): T => {
    if (text === null) return text;
    const r = redact(text);
    replaced += r.replaced;
    return r.text as T;
  };
  const scrubCitation = (c: Citation): Citation => ({
    ...c,
    title: scrub(c.title),
    sections: c.sections.map(scrub),
    pages: c.pages.map(scrub),
  });
  // Every free-text field, and nothing else: the coded fields were read before, from the text
  // as written, so a mailed copy and the published copy give the same codes.
  const publicIssues = issues.map((i) => ({
    ...i,
    request: scrub(i.request),
    originalRequest: scrub(i.originalRequest),
    authorizedPortion: scrub(i.authorizedPortion),
    claimsAdministratorGuideline: scrub(i.claimsAdministratorGuideline),
    reviewerGuideline: scrub(i.reviewerGuideline),
    citations: i.citations.map(scrubCitation),
    claimsAdministratorCitations: i.claimsAdministratorCitations.map(scrubCitation),
    rationale: scrub(i.rationale),
  }));
  const summary = scrub(parts.summary);
  const diagnoses = parts.diagnoses.map(scrub);
  if (replaced > 0) flags.push('redacted-identifiers');
  const checked = determinationSchema.safeParse({
    source: fileName,
    caseNumber: parts.caseNumber,
    layout: parts.layout,
    textSource,
    dates: parts.dates,
    priority: parts.priority,
    reviewer: parts.reviewer,
    patient: parts.patient,
    diagnoses,
    outcome: outcomeOf(issues.map((i) => i.decision)),
    issues: publicIssues,
    summary,
    flags,
  });
  if (!checked.success) {
    // The readers build valid records from anything that looks like a letter; reaching this
    // means a letter so malformed that a field came out unusable.
    const first = checked.error.issues[0];
    throw new LetterFormatError(
      'unknown-layout',
      `${fileName} could not be read consistently: ${first?.path.join('.') ?? 'record'} ${first?.message ?? 'is invalid'}.`,
    );
  }
  return checked.data;
}
