import type { Layout, ItemFlag, LetterFlag } from '../record/index.ts';
import { findCaseNumber, resolveCaseNumber } from './case-number.ts';
import { ANY_DATE, toIsoDate } from '../text/index.ts';
import { parseHeader } from './header.ts';
import { readItems, splitDecision, type RawItem } from './items.ts';
import { joinLines } from './normalize.ts';
import type { LetterParts } from './parse-letter.ts';
import { readReviewer } from './reviewer.ts';
import { applySummary } from './summary.ts';

// The older layouts docs/DOMAIN.md describes have no samples in hand: they are recognised by their
// headings and read for what they carry, and every guess they need is flagged.

/** A section's text as one paragraph, its wrapped lines joined. */
function prose(text: string): string {
  return joinLines(text.split('\n'));
}

/** A heading that may wrap over lines: words separated by any whitespace. */
function heading(words: string): RegExp {
  return new RegExp(
    words
      .split(' ')
      .map((w) => w.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'))
      .join('\\s+'),
    'i',
  );
}

interface Section {
  name: string;
  start: number;
  end: number;
}

/** Finds each heading's position in the text and cuts the text between consecutive headings. */
function sections(text: string, headings: Record<string, RegExp>): Map<string, string> {
  const found: Section[] = [];
  for (const [name, re] of Object.entries(headings)) {
    const m = re.exec(text);
    if (m) found.push({ name, start: m.index, end: m.index + m[0].length });
  }
  found.sort((a, b) => a.start - b.start);
  const out = new Map<string, string>();
  found.forEach((s, i) => {
    out.set(s.name, text.slice(s.end, found[i + 1]?.start ?? text.length).trim());
  });
  return out;
}

function base(
  layout: Layout,
  text: string,
  fileName: string,
  flags: LetterFlag[],
): Omit<LetterParts, 'items' | 'summary' | 'reviewer' | 'patient' | 'diagnoses'> {
  const header = parseHeader(text.slice(0, 2000));
  // Older letters print the case number in a reference line rather than a header table.
  const fromLetter = header.caseNumber ?? findCaseNumber(text.slice(0, 3000));
  const caseNumber = resolveCaseNumber(fromLetter, fileName, flags);
  for (const field of header.unreadable) flags.push(`unparsed-date:${field}`);
  return { layout, caseNumber, dates: header.dates, priority: header.priority, flags };
}

function withSummary(
  summary: string | null,
  dates: LetterParts['dates'],
  flags: LetterFlag[],
): Pick<LetterParts, 'summary' | 'patient' | 'diagnoses'> {
  const { unreadableDates, ...parts } = applySummary(summary, dates);
  for (const field of unreadableDates) flags.push(`unparsed-date:${field}`);
  return parts;
}

/** "MAXIMUS FEDERAL SERVICES, INC. / Independent Medical Review" letters: the standard items under "IMR DECISION(S) AND RATIONALE(S)". */
function readMaximusLegacy(lines: readonly string[], fileName: string): LetterParts | null {
  const text = lines.join('\n');
  if (!/MAXIMUS\s+FEDERAL\s+SERVICES/i.test(text) || !/Independent\s+Medical\s+Review/i.test(text))
    return null;
  const decisionsAt = lines.findIndex((l) =>
    /^IMR\s+DECISION\(?S?\)?\s+AND\s+RATIONALE\(?S?\)?:?$/i.test(l),
  );
  if (decisionsAt < 0 || !/DOCUMENTS\s+REVIEWED/i.test(text)) return null;
  const flags: LetterFlag[] = [];
  const parts = base('maximus-legacy', text, fileName, flags);
  const secs = sections(text, {
    summary: /^(?:CLINICAL\s+)?CASE\s+SUMMARY:?$/im,
    documents: /^DOCUMENTS\s+REVIEWED:?$/im,
    decisions: /^IMR\s+DECISION\(?S?\)?\s+AND\s+RATIONALE\(?S?\)?:?$/im,
  });
  return {
    ...parts,
    ...withSummary(secs.get('summary') ?? null, parts.dates, parts.flags),
    reviewer: readReviewer(lines.slice(0, decisionsAt)),
    items: readItems(lines.slice(decisionsAt + 1)),
  };
}

const MPR_HEADINGS = {
  issue: heading('ISSUE AT DISPUTE:'),
  summary: heading('CASE SUMMARY:'),
  documents: heading('DOCUMENTS REVIEWED FOR DETERMINATION:'),
  guidelines: heading(
    'MEDICAL TREATMENT GUIDELINE(S) RELIED UPON BY PROFESSIONAL REVIEWER AND WHY:',
  ),
  rationale:
    /RATIONALE\s+FOR\s+WHY\s+THE\s+REQUESTED\s+TREATMENT\s*\/\s*SERVICE\s+IS\s*\/\s*WAS\s+NOT\s+MEDICALLY\s+NECESSARY:/i,
  qualifications: heading('MEDICAL REVIEWER QUALIFICATIONS:'),
};

/** Splits a list of disputed items: numbered ("1) ...", "1. ...") or one per line. */
function splitIssueList(text: string): string[] {
  const numbered = text
    .split(/(?:^|\s)\d{1,2}[).]\s+/)
    .map(prose)
    .filter((s) => s !== '');
  if (numbered.length > 1) return numbered;
  return [prose(text)].filter((s) => s !== '');
}

/** "MEDICAL PROFESSIONAL REVIEW" letters: one issue section, one rationale, headings that wrap. */
function readMedicalProfessionalReview(
  lines: readonly string[],
  fileName: string,
): LetterParts | null {
  const text = lines.join('\n');
  if (!/MEDICAL\s+PROFESSIONAL\s+REVIEW/i.test(text) || !MPR_HEADINGS.issue.test(text)) return null;
  const flags: LetterFlag[] = [];
  const parts = base('medical-professional-review', text, fileName, flags);
  const secs = sections(text, MPR_HEADINGS);
  const requests = splitIssueList(secs.get('issue') ?? '');
  const rationale = prose(secs.get('rationale') ?? '');
  const guideline = secs.has('guidelines') ? prose(secs.get('guidelines')!) : null;
  const items: RawItem[] = requests.map((r) => {
    const { request, decision } = splitDecision(r);
    return {
      request,
      originalRequest: null,
      authorizedPortion: null,
      decision,
      claimsAdministratorGuideline: null,
      reviewerGuideline: guideline,
      rationale,
      flags: requests.length > 1 ? ['rationale-shared-by-items'] : [],
    };
  });
  return {
    ...parts,
    ...withSummary(secs.get('summary') ?? null, parts.dates, parts.flags),
    reviewer: readReviewer((secs.get('qualifications') ?? '').split('\n')),
    items,
  };
}

// "1) MAXIMUS Federal Services, Inc. has determined the request for X is (not) medically necessary
// and appropriate." Extraction sometimes loses the space in "notmedically". The outcomes are
// printed twice (in the notice and again in the decision section); the first of each number wins.
const noticeOutcomeRe =
  /(?:^|\s)(\d{1,2})\)\s*MAXIMUS\s+Federal\s+Services,?\s+Inc\.?\s+has\s+determined\s+(?:that\s+)?the\s+request\s+for\s+([\s\S]+?)\s+(is\s*not|is)\s*medically\s+necessary(?:\s+and\s+appropriate)?/gi;
// Per-item blocks after the case summary: "1) Regarding the request for X:", then the guideline
// relied upon and "Rationale for the Decision:".
const noticeItemRe = /(?:^|\n)\s*(\d{1,2})\)\s*Regarding\s+the\s+request\s+for\s+/gi;
const noticeGuidelineRe =
  /Medical\s+Treatment\s+Guidelines?\s*\(?s?\)?\s+Relied\s+Upon\s+by\s+the\s+Expert\s+Reviewer\s*:\s*([\s\S]*?)(?=Rationale\s+for\s+the\s+Decision\s*:|$)/i;
const noticeRationaleRe = /Rationale\s+for\s+the\s+Decision\s*:\s*([\s\S]*)$/i;

const NOTICE_DATES = {
  decision: new RegExp(String.raw`\bDated:?\s*(${ANY_DATE})`, 'i'),
  applicationReceived: new RegExp(
    String.raw`application\s+for\s+Independent\s+Medical\s+Review\s+was\s+filed\s+on\s+(${ANY_DATE})`,
    'i',
  ),
  urDenial: new RegExp(
    String.raw`Utilization\s+Review\s+(?:Denial|determination|decision)\s+dated\s+(${ANY_DATE})`,
    'i',
  ),
  assigned: new RegExp(String.raw`Notice\s+of\s+Assignment[\s\S]{0,80}?\s+on\s+(${ANY_DATE})`, 'i'),
};

function noticeDate(text: string, re: RegExp): string | null {
  const m = re.exec(text);
  return m?.[1] ? toIsoDate(m[1]) : null;
}

/** The 2013 "Notice of Independent Medical Review Determination": numbered outcomes, then per-item rationales. */
function readNotice2013(lines: readonly string[], fileName: string): LetterParts | null {
  const text = lines.join('\n');
  if (!heading('Notice of Independent Medical Review Determination').test(text)) return null;
  const flags: LetterFlag[] = [];
  const parts = base('notice-2013', text, fileName, flags);
  // The notice states its dates in prose rather than in a header table.
  const dates = parts.dates;
  dates.decision ??= noticeDate(text, NOTICE_DATES.decision);
  dates.applicationReceived ??= noticeDate(text, NOTICE_DATES.applicationReceived);
  dates.urDenial ??= noticeDate(text, NOTICE_DATES.urDenial);
  dates.assigned ??= noticeDate(text, NOTICE_DATES.assigned);

  const outcomes = new Map<string, RegExpExecArray>();
  for (const m of text.matchAll(noticeOutcomeRe)) if (!outcomes.has(m[1]!)) outcomes.set(m[1]!, m);

  const blocks = new Map<string, string>();
  const starts = [...text.matchAll(noticeItemRe)];
  starts.forEach((m, i) => {
    blocks.set(m[1]!, text.slice(m.index + m[0].length, starts[i + 1]?.index ?? text.length));
  });
  const secs = sections(text, {
    decision: heading('INDEPENDENT MEDICAL REVIEW DECISION AND RATIONALE'),
    qualifications: heading('Medical Qualifications of the Expert Reviewer:'),
    summary: heading('Case Summary:'),
    documents: heading('Documents Reviewed for Determination:'),
  });
  let summary = secs.get('summary') ?? null;
  if (summary !== null && starts[0]) summary = summary.split(noticeItemRe)[0] ?? summary;

  const items: RawItem[] = [...outcomes.values()].map((m) => {
    const block = blocks.get(m[1]!);
    const itemFlags: ItemFlag[] = [];
    let rationale = '';
    let guideline: string | null = null;
    if (block !== undefined) {
      guideline = noticeGuidelineRe.exec(block)?.[1] ?? null;
      rationale = noticeRationaleRe.exec(block)?.[1] ?? block;
    } else {
      itemFlags.push('missing-rationale');
    }
    return {
      request: prose(m[2]!),
      originalRequest: null,
      authorizedPortion: null,
      decision: /not/i.test(m[3]!) ? 'upheld' : 'overturned',
      claimsAdministratorGuideline: null,
      reviewerGuideline: guideline === null ? null : prose(guideline),
      rationale: prose(rationale),
      flags: itemFlags,
    };
  });
  return {
    ...parts,
    ...withSummary(summary ? prose(summary) : null, dates, flags),
    reviewer: readReviewer((secs.get('qualifications') ?? '').split('\n')),
    items,
  };
}

/** Recognises the older layouts by their headings; null when none matches. */
export function readLegacy(lines: readonly string[], fileName: string): LetterParts | null {
  return (
    readNotice2013(lines, fileName) ??
    readMedicalProfessionalReview(lines, fileName) ??
    readMaximusLegacy(lines, fileName)
  );
}
