import { defineConfig } from 'vitest/config';

// Mirrors the parser's own guard (shared/parser/extract-text.ts): pdf.js leaves rejected
// promises behind on some damaged PDFs, and only those, raised inside pdf.js, are ignored.
// test/unit/pdf-damage.test.ts proves the guard in a process vitest does not manage.
const PDFJS_SOURCE = '/unpdf/dist/pdfjs.mjs';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Corpus-wide tests (and their beforeAll hooks) parse 120 PDFs; the defaults (5 s, 10 s)
    // are too tight on a busy 2-core CI machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    allowOnly: false,
    // See bin/imr.js: the SDK's notice about Node 22 is noise on this project's Node 20.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    onUnhandledError(error) {
      return !(typeof error.stack === 'string' && error.stack.includes(PDFJS_SOURCE));
    },
  },
});
