import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { INTEGRATION_LETTER_TESTS, LETTER_TESTS } from '../letters/readers.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const testFiles = readdirSync(join(ROOT, 'test'), { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.test.ts'))
  .map((f) => `test/${f.split('\\').join('/')}`)
  .sort();

describe('the lists of test files that read the real letters', () => {
  it('name exactly the test files that import the letters', () => {
    const readers = testFiles.filter((f) =>
      /from '[./]+\/support\/letters\.ts'/.test(readFileSync(join(ROOT, f), 'utf8')),
    );
    expect([...LETTER_TESTS, ...INTEGRATION_LETTER_TESTS].sort()).toEqual(readers);
  });

  it('leave every test file in a folder that a project runs', () => {
    const projectFolders = /^test\/(unit|integration|e2e|cdk|web)\//;
    expect(testFiles.filter((f) => !projectFolders.test(f))).toEqual([]);
    expect(LETTER_TESTS.every((f) => f.startsWith('test/unit/'))).toBe(true);
    expect(INTEGRATION_LETTER_TESTS.every((f) => f.startsWith('test/integration/'))).toBe(true);
  });
});
