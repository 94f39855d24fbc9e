import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Corpus-wide tests parse 120 PDFs; the default 5 s is too tight on a 2-core CI machine.
    testTimeout: 60_000,
    allowOnly: false,
  },
});
