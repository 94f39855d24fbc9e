import { parentPort } from 'node:worker_threads';
import { getResolvedPDFJS } from 'unpdf';
import { LetterFormatError } from '../errors.ts';
import { parseLetter } from './parse-letter.ts';
import { jobSchema, type Reply } from './sandbox-protocol.ts';

// The parse sandbox's worker thread (parse-sandbox.ts): parses one letter at a time, as the
// sandbox sends them. Its own entry file: bundled next to the ingest function's (esbuild.ts).

const port = parentPort;
if (port === null) throw new Error('parse-worker.ts runs as a worker thread (parse-sandbox.ts)');

const reply = (r: Reply): void => port.postMessage(r);

// pdf.js is loaded before the worker says it is ready, so a letter's deadline is not spent on it.
await getResolvedPDFJS();

port.on('message', (message: unknown) => {
  const job = jobSchema.parse(message);
  // A scan is read by OCR here, in the worker; the parent is told, so that it holds the letter to
  // the scan limits from then on, and hears OCR's progress.
  parseLetter(job.bytes, job.fileName, job.limits, {
    onScan: () => reply({ kind: 'scan', id: job.id }),
    onProgress: (p) => reply({ kind: 'progress', id: job.id, ...p }),
  }).then(
    (determination) => reply({ kind: 'parsed', id: job.id, determination }),
    (e: unknown) => {
      if (e instanceof LetterFormatError) {
        reply({ kind: 'rejected', id: job.id, reason: e.reason, message: e.message });
      } else {
        const message = e instanceof Error ? (e.stack ?? e.message) : String(e);
        reply({ kind: 'crashed', id: job.id, message });
      }
    },
  );
});
reply({ kind: 'ready' });
