/**
 * Why a document could not become a Determination. The codes are stable (stored with failure
 * records and counted); the messages are written for the person who sent the file.
 */
export type LetterFormatReason =
  | 'empty'
  | 'binary'
  | 'pdf-corrupt'
  | 'pdf-password'
  | 'pdf-no-text'
  | 'unknown-layout'
  | 'no-issues'
  | 'too-many-items'
  | 'too-complex';

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
