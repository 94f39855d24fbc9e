import type { Determination } from '../determination.ts';
import { NUMERIC_DATE, toIsoDate } from './dates.ts';
import type { OcrResult } from './ocr.ts';

// OCR'd records say so (flag `ocr`), and each field whose words Tesseract read with low
// confidence is flagged, so a reader can tell a value read cleanly from one that may be a
// misreading. Values OCR could not read at all are already null and flagged by the parser
// (missing-date, unparsed-date, missing-case-number); nothing here fills in a value.

/** Below this mean word confidence (0-100) the whole scan is flagged `ocr-low-confidence`. */
export const LOW_CONFIDENCE_LETTER = 75;

const numericDateRe = new RegExp(NUMERIC_DATE);
const edgePunctuation = /^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu;

// Misreading these changes nothing a reader of the request relies on.
const FUNCTION_WORDS = new Set(['the', 'and', 'for', 'with', 'per', 'x']);

const DATE_FIELDS = ['assigned', 'injury', 'decision', 'urDenial', 'applicationReceived'] as const;

/** The record with the flag `ocr` and a flag for each field read with low confidence. */
export function flagUncertain(record: Determination, ocr: OcrResult): Determination {
  const words = ocr.uncertainWords
    .map((w) => w.replace(edgePunctuation, ''))
    .filter((w) => w.length > 0);
  const lower = new Set(words.map((w) => w.toLowerCase()));
  const flags = [...record.flags, 'ocr'];
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

  const issues = record.issues.map((issue) => {
    const itemFlags = [...issue.flags];
    if (lower.has(issue.decision)) itemFlags.push('ocr-uncertain-decision');
    const requestWords = issue.request
      .split(/\s+/)
      .map((w) => w.replace(edgePunctuation, '').toLowerCase())
      .filter((w) => w.length >= 3 && !FUNCTION_WORDS.has(w));
    if (requestWords.some((w) => lower.has(w))) itemFlags.push('ocr-uncertain-request');
    return itemFlags.length === issue.flags.length ? issue : { ...issue, flags: itemFlags };
  });
  return { ...record, flags, issues };
}
