import { type LetterFlag, CASE_NUMBER } from '../record/index.ts';

const caseNumberRe = new RegExp(String.raw`\b${CASE_NUMBER}\b`, 'i');
// A line that is only a case number, as a running header repeats it at the top of each page.
const caseNumberLineRe = new RegExp(
  String.raw`^(?:(?:IMR\s+)?Case\s+(?:Number|No\.?)\s*:?\s*)?${CASE_NUMBER}$`,
  'i',
);

/** True for a line holding nothing but a case number (with or without its label). */
export function isCaseNumberLine(line: string): boolean {
  return caseNumberLineRe.test(line);
}

/** The first case number ("CM16-0213037") in a text, upper-cased, or null. */
export function findCaseNumber(text: string): string | null {
  return caseNumberRe.exec(text)?.[0].toUpperCase() ?? null;
}

/** A case number in a file name such as "CM16-0213037.pdf", or null. */
function caseNumberFromFileName(fileName: string): string | null {
  return findCaseNumber(fileName.split(/[\\/]/).pop() ?? fileName);
}

/**
 * The letter's own case number when it states one, else the file name's, flagging either the
 * fallback or a disagreement between the two.
 */
export function resolveCaseNumber(
  fromLetter: string | null,
  fileName: string,
  flags: LetterFlag[],
): string | null {
  const fromName = caseNumberFromFileName(fileName);
  if (fromLetter === null) {
    if (fromName !== null) flags.push('case-number-from-file-name');
    return fromName;
  }
  if (fromName !== null && fromName !== fromLetter)
    flags.push('case-number-differs-from-file-name');
  return fromLetter;
}
