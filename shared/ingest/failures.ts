import type { FailureReason, LetterFormatReason } from '../errors.ts';

export { FAILURE_REASONS, type FailureReason } from '../errors.ts';

/** The largest object ingested; a real letter is well under 1 MB. */
export const MAX_LETTER_BYTES = 20 * 1024 * 1024;

/** Messages for the failures the ingest function detects itself (the parser writes its own). */
export function failureMessage(
  reason: Exclude<FailureReason, LetterFormatReason>,
  detail: {
    fileName: string;
    size?: number | null;
    reference?: string;
    caseId?: string;
    problem?: string;
  },
): string {
  switch (reason) {
    case 'too-large':
      return (
        `${detail.fileName} is ${((detail.size ?? 0) / 1024 / 1024).toFixed(1)} MB; a letter may be at ` +
        'most 20 MB. Check that the file is one determination letter (not a scanned bundle) and send it again.'
      );
    case 'object-missing':
      return `${detail.fileName} was deleted before it could be read. Upload it again if it should be included.`;
    case 'outside-uploads':
      return (
        `${detail.fileName} is not under uploads/<organisation>/, so no organisation can be recorded ` +
        "for it. Upload it again under your organisation's folder."
      );
    case 'record-too-large':
      return (
        `${detail.fileName} cannot be stored: ${detail.problem ?? 'it is too large'}. Check that it is ` +
        'one determination letter, not several joined together or a file with garbled text, and send it again.'
      );
    case 'store-rejected':
      return (
        `${detail.fileName} (case ${detail.caseId ?? 'unknown'}) could not be stored: the database refused it as invalid ` +
        `(reference ${detail.reference ?? 'unknown'}). It has been recorded for the team to look at; you do not need to do anything.`
      );
    case 'parser-error':
      return (
        `${detail.fileName} could not be read because of an error in IMR Atlas (reference ` +
        `${detail.reference ?? 'unknown'}). It has been recorded for the team to fix; you do not need to do anything.`
      );
  }
}

/** The receipt message of an upload held aside as a conflict (it names no other organisation). */
export function conflictMessage(
  fileName: string,
  caseId: string,
  differences: readonly string[],
): string {
  return (
    `${fileName} is case ${caseId}, which another organisation published first, and it differs ` +
    `from the published record (${differences.join('; ')}). It changes nothing public and is ` +
    'kept for IMR Atlas to review; if your copy is the correct one, no action is needed: an ' +
    'operator settles the difference.'
  );
}
