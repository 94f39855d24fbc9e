import { svelte } from '@sveltejs/vite-plugin-svelte';
import { svelteTesting } from '@testing-library/svelte/vite';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { INTEGRATION_LETTER_TESTS, LETTER_TESTS } from './test/letters/readers.ts';
import { LettersReporter } from './test/support/letters-reporter.ts';

// Mirrors the parser's own guard (shared/parser/extract-text.ts): pdf.js leaves rejected
// promises behind on some damaged PDFs, and only those, raised inside pdf.js, are ignored.
// test/unit/pdf-damage.test.ts proves the guard in a process vitest does not manage.
const PDFJS_SOURCE = '/unpdf/dist/pdfjs.mjs';

export default defineConfig({
  test: {
    // Projects by what their tests need beyond the code (docs/TESTING.md): `unit` and `web`
    // nothing; `letters` the real letters (.letters/) and poppler's pdftotext; `integration` Java
    // for DynamoDB Local; `e2e` that too and Chromium; `cdk` time to bundle every function.
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], exclude: LETTER_TESTS },
      },
      { extends: true, test: { name: 'letters', include: LETTER_TESTS } },
      { extends: true, test: { name: 'integration', include: ['test/integration/**/*.test.ts'] } },
      { extends: true, test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'] } },
      { extends: true, test: { name: 'cdk', include: ['test/cdk/**/*.test.ts'] } },
      {
        extends: true,
        plugins: [svelte({ configFile: false }), svelteTesting()],
        resolve: {
          conditions: ['browser'],
          alias: { $lib: fileURLToPath(new URL('./web/src/lib', import.meta.url)) },
        },
        test: { name: 'web', include: ['test/web/**/*.test.ts'], environment: 'jsdom' },
      },
    ],
    // The default summary, then how many letter tests skipped for want of the letters.
    reporters: ['default', new LettersReporter([...LETTER_TESTS, ...INTEGRATION_LETTER_TESTS])],
    // Corpus-wide tests (and their beforeAll hooks) parse 120 PDFs; the defaults (5 s, 10 s)
    // are too tight on a busy 2-core CI machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    allowOnly: false,
    // Two files at a time on the 2-core machine (Vitest's default there is one): most files wait
    // on DynamoDB Local, a browser or a worker thread for much of their time.
    maxWorkers: 2,
    // See bin/imr.js: the SDK's notice about Node 22 is noise on this project's Node 20.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    onUnhandledError(error) {
      return !(typeof error.stack === 'string' && error.stack.includes(PDFJS_SOURCE));
    },
  },
});
