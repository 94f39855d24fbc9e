import { resolve } from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';
import { GET_LETTERS, missingLetters, readManifest } from '../letters/manifest.ts';

const ROOT = resolve(import.meta.dirname, '../..');

/**
 * Ends a run without the real letters with how many tests in the files that read them were
 * skipped, and how to get the letters: without them (and without CI) those tests skip rather than
 * fail, which the default summary would report only as a bare count of skipped tests.
 */
export class LettersReporter implements Reporter {
  readonly #files: ReadonlySet<string>;

  constructor(files: readonly string[]) {
    this.#files = new Set(files.map((f) => resolve(ROOT, f)));
  }

  onTestRunEnd(testModules: readonly TestModule[]): void {
    const letters = readManifest();
    const missing = missingLetters(letters).length;
    // With every letter there, a skipped test was filtered out (-t), not left without its letters.
    if (missing === 0) return;
    let skipped = 0;
    for (const m of testModules) {
      if (this.#files.has(m.moduleId)) skipped += [...m.children.allTests('skipped')].length;
    }
    if (skipped === 0) return;
    process.stdout.write(
      `\n${skipped} ${skipped === 1 ? 'test' : 'tests'} reading the real letters did not run: ` +
        `${missing} of the ${letters.length} letters are not in .letters/.\n` +
        `Place them with "${GET_LETTERS}" (DIR holds corpus/pdf and seeds, e.g. ../shared); ` +
        'see docs/TESTING.md.\n',
    );
  }
}
