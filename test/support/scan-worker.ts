import { parentPort } from 'node:worker_threads';
import { jobSchema, type Reply } from '../../shared/parser/sandbox-protocol.ts';

// A stand-in for parse-worker.ts (parse-sandbox.test.ts): every letter is a one-page scan that
// takes as many milliseconds as its file name says, then is refused as no-issues, so the test
// sees which deadline the sandbox held it to without running OCR.

const port = parentPort;
if (port === null) throw new Error('scan-worker.ts runs as a worker thread');
const reply = (r: Reply): void => port.postMessage(r);

port.on('message', (message: unknown) => {
  const job = jobSchema.parse(message);
  reply({ kind: 'scan', id: job.id });
  reply({ kind: 'progress', id: job.id, page: 0, pages: 1 });
  setTimeout(
    () => {
      reply({ kind: 'progress', id: job.id, page: 1, pages: 1 });
      reply({ kind: 'rejected', id: job.id, reason: 'no-issues', message: 'read' });
    },
    Number.parseInt(job.fileName, 10),
  );
});
reply({ kind: 'ready' });
