/**
 * Why a document could not become a Determination. The codes are stable (stored with failure
 * records and counted); the messages are written for the person who sent the file.
 */
export const LETTER_FORMAT_REASONS = [
  'empty',
  'binary',
  'pdf-corrupt',
  'pdf-password',
  'pdf-no-text',
  'unknown-layout',
  'no-issues',
  'too-complex',
  'too-many-items',
] as const;

export type LetterFormatReason = (typeof LETTER_FORMAT_REASONS)[number];

/** Why an uploaded object did not become a determination. Codes are stable: they are stored. */
export const FAILURE_REASONS = [
  ...LETTER_FORMAT_REASONS,
  'too-large',
  'object-missing',
  'outside-uploads',
  'parser-error',
  'record-too-large',
  'store-rejected',
] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

/** A document that is not a recognisable IMR final determination letter. */
export class LetterFormatError extends Error {
  override readonly name = 'LetterFormatError';

  constructor(
    readonly reason: LetterFormatReason,
    message: string,
  ) {
    super(message);
  }
}

/** A request the API cannot answer as asked; `parameter` names what to change. */
export class BadRequestError extends Error {
  override readonly name = 'BadRequestError';

  constructor(
    readonly parameter: string,
    message: string,
  ) {
    super(message);
  }
}

/** The thing asked for does not exist (an unknown case number). */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
}
