import type { LetterFormatReason } from '../errors.ts';

/** Why an uploaded object did not become a determination. Codes are stable: they are stored. */
export type FailureReason =
  LetterFormatReason | 'too-large' | 'object-missing' | 'outside-uploads' | 'parser-error';

/** The largest object ingested; a real letter is well under 1 MB. */
export const MAX_LETTER_BYTES = 20 * 1024 * 1024;

/** Messages for the failures the ingest function detects itself (the parser writes its own). */
export function failureMessage(
  reason: Exclude<FailureReason, LetterFormatReason>,
  detail: { fileName: string; size?: number | null; reference?: string },
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
    case 'parser-error':
      return (
        `${detail.fileName} could not be read because of an error in IMR Atlas (reference ` +
        `${detail.reference ?? 'unknown'}). It has been recorded for the team to fix; you do not need to do anything.`
      );
  }
}
