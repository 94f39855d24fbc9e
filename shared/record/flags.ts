// The data-quality flags a record and its items may carry: a public contract (docs list them and
// a test holds the docs to these lists). Each parameterised flag is spelled out per date field so
// that the schema can check every value and the compiler every place that raises one.

/** The dates a letter states, by their field in the record. */
export const DATE_FIELDS = [
  'assigned',
  'decision',
  'injury',
  'urDenial',
  'applicationReceived',
] as const;
export type DateField = (typeof DATE_FIELDS)[number];

/** Flags of a whole letter (`flags` of the record). */
export const LETTER_FLAGS = [
  'redacted-identifiers',
  'missing-section:how-the-determination-was-made',
  'missing-section:clinical-case-summary',
  'missing-date:assigned',
  'missing-date:decision',
  'missing-date:injury',
  'missing-date:urDenial',
  'missing-date:applicationReceived',
  'unparsed-date:assigned',
  'unparsed-date:decision',
  'unparsed-date:injury',
  'unparsed-date:urDenial',
  'unparsed-date:applicationReceived',
  'missing-case-number',
  'missing-priority',
  'case-number-from-file-name',
  'case-number-differs-from-file-name',
  'missing-reviewer-specialty',
  'ocr',
  'ocr-low-confidence',
  'ocr-uncertain-case-number',
  'ocr-uncertain-date:assigned',
  'ocr-uncertain-date:decision',
  'ocr-uncertain-date:injury',
  'ocr-uncertain-date:urDenial',
  'ocr-uncertain-date:applicationReceived',
  'ocr-uncertain-reviewer',
  'synthetic',
] as const;
export type LetterFlag = (typeof LETTER_FLAGS)[number];

/** Flags of one disputed item (`issues[].flags`). */
export const ITEM_FLAGS = [
  'decision-conflicts-with-rationale',
  'rationale-conclusion-missing',
  'decision-missing',
  'decision-inferred-from-rationale',
  'missing-claims-administrator-guideline',
  'missing-reviewer-guideline',
  'missing-rationale',
  'duplicate-claims-administrator-guideline',
  'duplicate-reviewer-guideline',
  'duplicate-rationale',
  'modified-request-unparsed',
  'rationale-shared-by-items',
  'category-other',
  'ocr-uncertain-decision',
  'ocr-uncertain-request',
  'ocr-uncertain-citation',
  'ocr-uncertain-conclusion',
] as const;
export type ItemFlag = (typeof ITEM_FLAGS)[number];
