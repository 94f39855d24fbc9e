import { readFileSync } from 'node:fs';
import { LetterFormatError } from '../../shared/errors.ts';
import { parseLetterSandboxed } from '../../shared/parser/parse-sandbox.ts';

// An entry bundled as the ingest function is (test/cdk/parse-worker-bundle.test.ts), to run the
// bundled parse sandbox outside Lambda: one line per file, its case number or its failure.

for (const path of process.argv.slice(2)) {
  const line = await parseLetterSandboxed(new Uint8Array(readFileSync(path)), path).then(
    (d) => ({ caseNumber: d.caseNumber }),
    (e: unknown) =>
      e instanceof LetterFormatError
        ? { reason: e.reason, message: e.message }
        : { bug: String(e) },
  );
  process.stdout.write(JSON.stringify(line) + '\n');
}
