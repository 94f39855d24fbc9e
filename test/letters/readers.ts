// The test files that read the real letters (through test/support/letters.ts), by the project
// that runs them. vitest.config.ts builds its projects and the letters summary from these lists;
// test/unit/letter-readers.test.ts keeps them equal to the files that import the letters.

/** Test files that need the letters and nothing else outside the repository (no Java, no browser). */
export const LETTER_TESTS = [
  'test/unit/cli.test.ts',
  'test/unit/corpus-golden.test.ts',
  'test/unit/corpus-invariants.test.ts',
  'test/unit/corpus-pdftotext.test.ts',
  'test/unit/corpus-rewrap.test.ts',
  'test/unit/extract-text.test.ts',
  'test/unit/guidelines.test.ts',
  'test/unit/ocr-scans.test.ts',
  'test/unit/parser-properties.test.ts',
  'test/unit/privacy-mailed.test.ts',
  'test/unit/privacy.test.ts',
];

/** Integration test files (local DynamoDB and S3) that also read some letters. */
export const INTEGRATION_LETTER_TESTS = [
  'test/integration/api.test.ts',
  'test/integration/ingest.test.ts',
  'test/integration/local-stack.test.ts',
  'test/integration/privacy.test.ts',
  'test/integration/provenance.test.ts',
  'test/integration/upload-resilience.test.ts',
];
