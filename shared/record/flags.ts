// The data-quality flags a record and its items may carry: a public contract (docs list them and
// a test holds the docs to these lists). A flag about a date has one value per date field, so the
// schema checks every value and the compiler every place that raises one.

/** The dates a letter states, by their field in the record. */
export const DATE_FIELDS = [
  'assigned',
  'decision',
  'injury',
  'urDenial',
  'applicationReceived',
] as const;
export type DateField = (typeof DATE_FIELDS)[number];

/** `prefix:<field>` for every date field. */
function perDate<P extends string>(prefix: P): `${P}:${DateField}`[] {
  return DATE_FIELDS.map((field) => `${prefix}:${field}` as const);
}

/** Flags of a whole letter (`flags` of the record). */
export const LETTER_FLAGS = [
  'redacted-identifiers',
  'missing-section:how-the-determination-was-made',
  'missing-section:clinical-case-summary',
  ...perDate('missing-date'),
  ...perDate('unparsed-date'),
  'missing-case-number',
  'missing-priority',
  'case-number-from-file-name',
  'case-number-differs-from-file-name',
  'missing-reviewer-specialty',
  'ocr',
  'ocr-low-confidence',
  'ocr-uncertain-case-number',
  ...perDate('ocr-uncertain-date'),
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
