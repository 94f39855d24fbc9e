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
  | 'no-issues';

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
