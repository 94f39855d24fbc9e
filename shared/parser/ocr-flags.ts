import type { Determination, Issue, ItemFlag, LetterFlag } from '../record/index.ts';
import { SPECIALTIES } from '../taxonomy/index.ts';
import { NUMERIC_DATE, toIsoDate } from '../text/index.ts';
import type { OcrResult } from './ocr.ts';
import { editDistance, repairOcr, type Mend } from './ocr-text.ts';

// OCR'd records say so (flag `ocr`), and each field whose words Tesseract read with low
// confidence is flagged, so a reader can tell a value read cleanly from one that may be a
// misreading. Values OCR could not read at all are already null and flagged by the parser
// (missing-date, unparsed-date, missing-case-number); nothing here fills in a value. Words that
// repair (ocr-text.ts) mended count as uncertain too: a mended word was misread, however
// confidently. The one value set here is a reviewer specialty a letter or two off one of the
// known specialties, which statistics count: it is mended to that one, and flagged.

/** Below this mean word confidence (0-100) the whole scan is flagged `ocr-low-confidence`. */
export const LOW_CONFIDENCE_LETTER = 75;

const numericDateRe = new RegExp(NUMERIC_DATE);
const edgePunctuation = /^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu;

// Misreading these changes nothing a reader of the request relies on.
const FUNCTION_WORDS = new Set(['the', 'and', 'for', 'with', 'per', 'x']);

// The record's date fields in the order their flags are raised.
const DATE_FIELDS = ['assigned', 'injury', 'decision', 'urDenial', 'applicationReceived'] as const;

// Words a rationale's conclusion turns on (conclusion.ts).
const CONCLUSION_WORDS = new Set([
  'not',
  'medically',
  'necessary',
  'indicated',
  'recommended',
  'supported',
  'warranted',
]);
// A guideline citation's title holding its sections or a number no year is: its head misread.
const unparsedHead = /Section\(s\)|\d{5}/i;
/** Characters of a rationale's end its conclusion is read from (its last sentences). */
const CLOSING_CHARACTERS = 400;

const wordsOf = (text: string): string[] =>
  text
    .split(/\s+/)
    .map((w) => w.replace(edgePunctuation, '').toLowerCase())
    .filter((w) => w.length > 0);
const squeeze = (text: string): string => text.replace(/\s+/g, ' ');

/**
 * Whether a field's text holds a mended phrase: the phrase with the words before it and the
 * words after it, or as many of those as there are before the field ends.
 */
function holds(text: string, mend: Mend): boolean {
  const core = [...mend.before, mend.wrote].join(' ');
  for (let k = mend.after.length; k >= 0; k--) {
    const candidate = [core, ...mend.after.slice(0, k)].join(' ');
    if (k === mend.after.length ? text.includes(candidate) : text.endsWith(candidate)) return true;
  }
  return false;
}

/** The known specialty a read one is, allowing one misread character in eight; null if none. */
export function knownSpecialty(read: string): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const known of SPECIALTIES) {
    const distance = editDistance(read.toLowerCase(), known.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [known, distance];
  }
  return bestDistance <= Math.max(1, Math.floor(read.length / 8)) ? best : null;
}

/** The record with the flag `ocr` and a flag for each field read with low confidence. */
export function flagUncertain(record: Determination, ocr: OcrResult): Determination {
  const words = ocr.uncertainWords
    .map((w) => w.replace(edgePunctuation, ''))
    .filter((w) => w.length > 0);
  const lower = new Set(words.map((w) => w.toLowerCase()));
  // What repair mended in the text the record was parsed from (it is repeated here so that the
  // record's flags follow from what OCR read alone).
  const mends = repairOcr(ocr.text).mends;
  const mendedDecisions = new Set(
    mends.filter((m) => m.kind === 'decision').map((m) => m.wrote.toLowerCase()),
  );
  const phrases = mends.filter((m) => m.kind === 'phrase');
  const holdsMend = (text: string | null): boolean =>
    text !== null && phrases.some((m) => holds(squeeze(text).trim(), m));
  const holdsUncertain = (text: string | null): boolean =>
    text !== null && wordsOf(text).some((w) => lower.has(w));
  const flags: LetterFlag[] = [...record.flags, 'ocr'];
  if (ocr.confidence < LOW_CONFIDENCE_LETTER) flags.push('ocr-low-confidence');

  const caseNumber = record.caseNumber;
  // A misread case number often splits or loses its prefix: any uncertain word holding its
  // serial digits counts.
  const serial = caseNumber?.slice(5) ?? null;
  const holdsSerial = (w: string): boolean => {
    if (serial === null) return false;
    if (w.includes(serial)) return true;
    const digits = w.replace(/^CM\d{2}-?/i, '').replace(/\D/g, '');
    return digits.length >= 4 && serial.includes(digits);
  };
  if (words.some(holdsSerial)) {
    flags.push('ocr-uncertain-case-number');
  }
  const uncertainDates = new Set(
    words.flatMap((w) => {
      const m = numericDateRe.exec(w);
      const iso = m === null ? null : toIsoDate(m[0]);
      return iso === null ? [] : [iso];
    }),
  );
  for (const field of DATE_FIELDS) {
    const value = record.dates[field];
    if (value !== null && uncertainDates.has(value)) flags.push(`ocr-uncertain-date:${field}`);
  }

  const reviewer = reviewerOf(record, ocr.text, lower);
  if (reviewer.uncertain) flags.push('ocr-uncertain-reviewer');

  // A citation is counted by its source, title and year: those words uncertain, a mend in its
  // paragraph, or a guideline cited under a title that names no known document or whose head
  // did not parse (its sections left in the title: a misread year, read confidently) make it
  // uncertain.
  const citing = (issue: Issue): boolean => {
    const citations = [...issue.citations, ...issue.claimsAdministratorCitations];
    return (
      citations.length > 0 &&
      ([issue.claimsAdministratorGuideline, issue.reviewerGuideline].some(holdsMend) ||
        citations.some(
          (c) =>
            (c.source !== 'Other' && (c.guideline === null || unparsedHead.test(c.title))) ||
            holdsUncertain(`${c.source} ${c.title} ${c.year ?? ''}`),
        ))
    );
  };
  const concluding = (issue: Issue): boolean => {
    const closing = issue.rationale.slice(-CLOSING_CHARACTERS);
    return (
      holdsMend(closing) || wordsOf(closing).some((w) => CONCLUSION_WORDS.has(w) && lower.has(w))
    );
  };
  const issues = record.issues.map((issue) => {
    const itemFlags: ItemFlag[] = [...issue.flags];
    const decisionUncertain =
      mendedDecisions.has(issue.decision) ||
      [...lower].some(
        (w) => w.length >= issue.decision.length - 1 && editDistance(w, issue.decision) <= 2,
      );
    if (decisionUncertain) itemFlags.push('ocr-uncertain-decision');
    if (citing(issue)) itemFlags.push('ocr-uncertain-citation');
    if (issue.conclusion !== 'none' && concluding(issue)) {
      itemFlags.push('ocr-uncertain-conclusion');
    }
    const requestWords = issue.request
      .split(/\s+/)
      .map((w) => w.replace(edgePunctuation, '').toLowerCase())
      .filter((w) => w.length >= 3 && !FUNCTION_WORDS.has(w));
    if (requestWords.some((w) => lower.has(w))) itemFlags.push('ocr-uncertain-request');
    return itemFlags.length === issue.flags.length ? issue : { ...issue, flags: itemFlags };
  });
  return { ...record, reviewer: reviewer.value, flags, issues };
}

/**
 * The reviewer with each specialty a letter or two off a known one mended to it, and whether it
 * is uncertain: a specialty mended, not found as such in what OCR read, or holding an uncertain
 * word.
 */
function reviewerOf(
  record: Determination,
  read: string,
  uncertain: ReadonlySet<string>,
): { value: Determination['reviewer']; uncertain: boolean } {
  const text = squeeze(read);
  let flagged = false;
  const specialties = record.reviewer.specialties.map((specialty) => {
    const known = knownSpecialty(specialty);
    if (!text.includes(specialty) || wordsOf(specialty).some((w) => uncertain.has(w))) {
      flagged = true;
    }
    if (known === null || known === specialty) return specialty;
    flagged = true;
    return known;
  });
  return { value: { ...record.reviewer, specialties }, uncertain: flagged };
}
