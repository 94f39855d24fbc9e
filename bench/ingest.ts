// npm run bench:ingest: letters/s from upload to queryable through the local stack (local S3 →
// ingest handler → DynamoDB Local), next to the raw BatchWriteItem rate of the same DynamoDB
// Local measured in the same run. Prints figures; asserts nothing.
//
//   npm run bench:ingest [-- --letters N] [--concurrency C] [--wait-ms 0]
import {
  CreateTableCommand,
  DeleteTableCommand,
  ScanCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startLocalStack } from '../local/stack.ts';
import { forEachLimit } from '../shared/concurrency.ts';
import { UPLOAD_ID_METADATA } from '../shared/ingest/index.ts';
import { createLogger } from '../shared/logger.ts';
import { applyAllQueued, toItem, createTableInput } from '../shared/store/index.ts';
import { batchWrite } from './bulk-load.ts';
import { generateLetter } from '../synthetic/generate.ts';
import { countWriteUnits } from './consumed.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const { values } = parseArgs({
  options: {
    letters: { type: 'string', default: '10000' },
    concurrency: { type: 'string', default: '8' },
    'raw-items': { type: 'string', default: '20000' },
    // As deployed (APPLY_QUEUE_WAIT_MS in cdk/stacks/ingest.ts): a writer leaves its job to the
    // lane's running applier rather than wait for it.
    'wait-ms': { type: 'string', default: '0' },
  },
});
const LETTERS = Number(values.letters);
const CONCURRENCY = Number(values.concurrency);
const RAW_ITEMS = Number(values['raw-items']);
const SEED = 7;
const log = (s: string): void => void process.stderr.write(`${s}\n`);

const dataDir = await mkdtemp(join(tmpdir(), 'imr-bench-ingest-'));
const stack = await startLocalStack({
  dataDir,
  logger: createLogger({ level: 'error' }),
  concurrency: CONCURRENCY,
  queue: { waitMs: Number(values['wait-ms']) },
});
let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 200);

try {
  log(
    `bench:ingest: ${LETTERS} synthetic letters, ingest concurrency ${CONCURRENCY}, data in ${dataDir}`,
  );

  // 1. Reference: BatchWriteItem of plain items into a second table of the same shape, in the
  //    same DynamoDB Local, with the same number of requests in flight.
  const rawTable = { client: stack.dynamodb, tableName: 'bench-raw' };
  await stack.dynamodb.send(new CreateTableCommand(createTableInput(rawTable.tableName)));
  const filler = 'x'.repeat(200);
  const rawStart = performance.now();
  const batchStarts = Array.from({ length: Math.ceil(RAW_ITEMS / 25) }, (_, b) => b * 25);
  await forEachLimit(batchStarts, CONCURRENCY, (from) =>
    batchWrite(
      rawTable,
      Array.from({ length: Math.min(25, RAW_ITEMS - from) }, (_, i) => ({
        PutRequest: {
          Item: toItem({ PK: `RAW#${(from + i) % 997}`, SK: `${from + i}`, filler }),
        },
      })),
    ),
  );
  const rawSecs = (performance.now() - rawStart) / 1000;
  const rawItemsPerSec = RAW_ITEMS / rawSecs;
  await stack.dynamodb.send(new DeleteTableCommand({ TableName: rawTable.tableName }));
  log(`raw: ${RAW_ITEMS} items in ${rawSecs.toFixed(1)} s`);

  // 2. Upload to queryable: every letter PUT into the local S3, ingested through the handler.
  //    Every write of the ingest goes through this client, which asks DynamoDB what each one
  //    consumed (bench/consumed.ts).
  const writeUnits = countWriteUnits(stack.dynamodb);
  const started = performance.now();
  let sent = 0;
  const progress = setInterval(() => {
    const c = stack.ingest.counts;
    process.stderr.write(`\ringest: sent ${sent}/${LETTERS}, ingested ${c.succeeded}`);
  }, 1000);
  const indexes = Array.from({ length: LETTERS }, (_, n) => n);
  await forEachLimit(indexes, 16, async (n) => {
    const letter = generateLetter(n, SEED, 'text');
    await stack.s3.send(
      new PutObjectCommand({
        Bucket: stack.bucket,
        Key: `uploads/bench/${letter.fileName}`,
        Body: letter.bytes,
        Metadata: { [UPLOAD_ID_METADATA]: randomUUID() },
      }),
    );
    sent++;
  });
  await stack.ingest.idle();
  // Queryable once every lane has applied its jobs (a writer that left its job to a running
  // applier returned before it was applied).
  const lanes = await applyAllQueued({ ...stack.table, queue: { waitMs: 60_000 } });
  if (lanes.some((o) => o !== 'empty')) {
    throw new Error(
      `lanes not drained: ${lanes.map((o) => (typeof o === 'object' ? String(o.failed) : o)).join(', ')}`,
    );
  }
  clearInterval(progress);
  const unitsPerLetter = writeUnits.total() / LETTERS;
  const ingestSecs = (performance.now() - started) / 1000;
  process.stderr.write('\n');

  // What the store holds per letter, counted rather than assumed: every item the ingest wrote.
  let stored = 0;
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await stack.dynamodb.send(
      new ScanCommand({ TableName: stack.tableName, Select: 'COUNT', ExclusiveStartKey: start }),
    );
    stored += page.Count ?? 0;
    start = page.LastEvaluatedKey;
  } while (start !== undefined);

  const lettersPerSec = LETTERS / ingestSecs;
  const itemsPerLetter = stored / LETTERS;
  const rawLettersPerSec = rawItemsPerSec / itemsPerLetter;
  const c = stack.ingest.counts;
  const fmt = (n: number, d = 0): string =>
    n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
  process.stdout.write(
    [
      `bench:ingest (${LETTERS} letters, DynamoDB Local ${stack.dynamodbEndpoint}, concurrency ${CONCURRENCY})`,
      `  upload to queryable     ${fmt(lettersPerSec, 1)} letters/s (${fmt(ingestSecs, 1)} s; ${c.succeeded} messages, ${c.retried} retried, ${c.deadLettered} dead-lettered)`,
      `  items in the table      ${fmt(stored)} (${fmt(itemsPerLetter, 1)} per letter: record, index entries, upload status, counters shared)`,
      `  raw BatchWriteItem      ${fmt(rawItemsPerSec)} items/s = ${fmt(rawLettersPerSec, 1)} letters/s at ${fmt(itemsPerLetter, 1)} items per letter`,
      `  ratio ingest / raw      ${fmt(lettersPerSec / rawLettersPerSec, 2)}   (target >= 0.5)`,
      `  peak RSS (this process) ${fmt(peakRss / 1024 / 1024)} MB`,
      `  write units per letter: ${fmt(unitsPerLetter, 1)}`,
      ...[...writeUnits.byCommand].map(
        ([name, n]) => `    ${name.padEnd(26)} ${fmt(n / LETTERS, 2)} per letter`,
      ),
      `  ingest time per letter  ${fmt((ingestSecs * CONCURRENCY * 1000) / LETTERS, 0)} ms of handler time (wall × concurrency ÷ letters)`,
      '',
    ].join('\n'),
  );
} finally {
  clearInterval(sampler);
  await stack.stop();
  await rm(dataDir, { recursive: true, force: true });
}
