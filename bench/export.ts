// npm run bench:export: letters/s and peak RSS of a statistics export (shared/export/run.ts) of N
// synthetic letters from the local stack, next to a raw Query read of the same determinations
// (the same partitions and concurrency, no decoding or formatting) measured in the same run.
// Prints figures; asserts nothing.
//
//   npm run bench:export [-- --letters N] [--concurrency C] [--row-group R]
//
// The store is filled directly (parsed records and summed counters through BatchWriteItem, as
// the ingest would leave them), not through the ingest: the export reads only those. The raw
// read and the export each run in a child process, so each peak RSS is its own.
import { execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify, parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { z } from 'zod';
import { readStackFile } from '../local/stack-file.ts';
import { startLocalStack } from '../local/stack.ts';
import { createDynamoClient, createS3Client } from '../shared/aws/index.ts';
import { forEachLimit } from '../shared/concurrency.ts';
import { s3ExportBucket, DEFAULT_ROW_GROUP_SIZE, runExport } from '../shared/export/index.ts';
import { createLogger } from '../shared/logger.ts';
import {
  queryPages,
  toItem,
  counterDeltas,
  type TableDeps,
  caseId,
  determinationKey,
  recentKey,
  recentPartition,
  GSI1,
} from '../shared/store/index.ts';
import { parseLetterText } from '../shared/parser/index.ts';
import { statistics } from '../shared/stats/index.ts';
import { batchWrite } from './bulk-load.ts';
import { generateLetter } from '../synthetic/generate.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const { values } = parseArgs({
  options: {
    letters: { type: 'string', default: '100000' },
    concurrency: { type: 'string', default: '3' },
    'row-group': { type: 'string', default: String(DEFAULT_ROW_GROUP_SIZE) },
    child: { type: 'string' },
    'data-dir': { type: 'string' },
  },
});
const LETTERS = Number(values.letters);
const CONCURRENCY = Number(values.concurrency);
const ROW_GROUP = Number(values['row-group']);
const SEED = 7;
const log = (s: string): void => void process.stderr.write(`${s}\n`);

const childResultSchema = z.object({
  seconds: z.number(),
  letters: z.number(),
  items: z.number(),
  maxRssKb: z.number(),
  files: z.number(),
  csvBytes: z.number(),
  parquetBytes: z.number(),
});
type ChildResult = z.infer<typeof childResultSchema>;

if (values.child !== undefined) {
  process.stdout.write(JSON.stringify(await child(values.child, values['data-dir'] ?? '')) + '\n');
} else {
  await parent();
}

/** One measured phase against the running stack: `raw` or `export`. */
async function child(phase: string, dataDir: string): Promise<ChildResult> {
  const stack = await readStackFile(dataDir);
  if (stack?.exportsBucket === undefined)
    throw new Error(`no local stack with exports in ${dataDir}`);
  const table: TableDeps = {
    client: createDynamoClient({ endpoint: stack.dynamodbEndpoint }),
    tableName: stack.tableName,
  };
  const started = performance.now();
  let result: Omit<ChildResult, 'seconds' | 'maxRssKb'>;
  if (phase === 'raw') {
    // The same partitions the export reads, years found the same way, read the same way.
    const years = (await statistics(table, { by: 'year' })).groups.map((g) => g.key);
    let letters = 0;
    await forEachLimit([...years, '0000'], CONCURRENCY, async (year) => {
      for await (const items of queryPages(table.client, {
        TableName: table.tableName,
        IndexName: GSI1.name,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': GSI1.partitionKey, '#record': 'record' },
        ExpressionAttributeValues: toItem({ ':pk': recentPartition(year) }),
        ProjectionExpression: 'caseId, #record',
      })) {
        letters += items.length;
      }
    });
    result = { letters, items: 0, files: 0, csvBytes: 0, parquetBytes: 0 };
  } else {
    const out = await runExport(
      {
        table,
        bucket: s3ExportBucket(createS3Client({ endpoint: stack.s3Endpoint }), stack.exportsBucket),
        logger: createLogger({ level: 'warn', write: log }),
      },
      { concurrency: CONCURRENCY, rowGroupSize: ROW_GROUP },
    );
    if (out.status !== 'complete') throw new Error(`export ${out.status}`);
    const m = out.manifest;
    const bytesOf = (format: string): number =>
      m.files
        .filter((f) => f.format === format && f.kind === 'items')
        .reduce((n, f) => n + f.bytes, 0);
    result = {
      letters: m.totals.letters,
      items: m.totals.items,
      files: m.files.length,
      csvBytes: bytesOf('csv'),
      parquetBytes: bytesOf('parquet'),
    };
  }
  return {
    ...result,
    seconds: (performance.now() - started) / 1000,
    maxRssKb: process.resourceUsage().maxRSS,
  };
}

async function parent(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'imr-bench-export-'));
  const stack = await startLocalStack({ dataDir, logger: createLogger({ level: 'error' }) });
  try {
    log(`bench:export: ${LETTERS} synthetic letters, data in ${dataDir}`);
    const populateStart = performance.now();
    const counters = new Map<
      string,
      { PK: string; SK: string; upheld: number; overturned: number }
    >();
    let written = 0;
    let items = 0;
    const batches = Array.from({ length: Math.ceil(LETTERS / 25) }, (_, b) => b * 25);
    let countersWritten = 0;
    const progress = setInterval(
      () =>
        process.stderr.write(
          `\rpopulate: ${written}/${LETTERS} letters, ${countersWritten}/${counters.size} counters`,
        ),
      1000,
    );
    await forEachLimit(batches, 8, async (from) => {
      const requests = [];
      for (let i = from; i < Math.min(from + 25, LETTERS); i++) {
        const letter = generateLetter(i, SEED, 'text');
        const record = parseLetterText(new TextDecoder().decode(letter.bytes), letter.fileName);
        const hash = createHash('sha256').update(letter.bytes).digest('hex');
        const id = caseId(record.caseNumber, hash);
        items += record.issues.length;
        // The export's statistics read only the unscoped counters; the per-category ones are
        // left out to keep the fill short.
        for (const d of counterDeltas(id, record)) {
          if (d.PK.includes('@')) continue;
          const k = `${d.PK}\u0000${d.SK}`;
          const c = counters.get(k) ?? { PK: d.PK, SK: d.SK, upheld: 0, overturned: 0 };
          c.upheld += d.upheld;
          c.overturned += d.overturned;
          counters.set(k, c);
        }
        // The determination item as the ingest's write protocol leaves it once complete.
        requests.push({
          PutRequest: {
            Item: toItem({
              ...determinationKey(id),
              ...recentKey(id, record.dates.decision),
              type: 'determination',
              caseId: id,
              state: 'complete',
              version: 1,
              claim: randomUUID(),
              outcome: 'parsed',
              contentHash: hash,
              sourceKey: `uploads/bench/${letter.fileName}`,
              sourceSequencer: '0'.repeat(18),
              decisionDate: record.dates.decision,
              record: gzipSync(JSON.stringify(record)),
              updatedAt: new Date().toISOString(),
            }),
          },
        });
      }
      await batchWrite(stack.table, requests);
      written += requests.length;
    });
    const counterList = [...counters.values()];
    await forEachLimit(
      Array.from({ length: Math.ceil(counterList.length / 25) }, (_, b) => b * 25),
      8,
      async (from) => {
        const batch = counterList.slice(from, from + 25);
        await batchWrite(
          stack.table,
          batch.map((c) => ({ PutRequest: { Item: toItem({ ...c, type: 'counter' }) } })),
        );
        countersWritten += batch.length;
      },
    );
    clearInterval(progress);
    log(
      `\npopulate: ${LETTERS} determinations (${items} items) and ${counterList.length} counters in ` +
        `${((performance.now() - populateStart) / 1000).toFixed(1)} s`,
    );

    const run = async (phase: string): Promise<ChildResult> => {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [
          '--import',
          'tsx',
          join(import.meta.dirname, 'export.ts'),
          '--child',
          phase,
          '--data-dir',
          dataDir,
          '--concurrency',
          String(CONCURRENCY),
          '--row-group',
          String(ROW_GROUP),
        ],
        { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
      );
      return childResultSchema.parse(JSON.parse(stdout));
    };
    // DynamoDB Local reads faster once its JVM and caches are warm: one read first, unmeasured,
    // so that neither measured phase pays for the warm-up.
    log('warm-up read ...');
    await run('raw');
    log('raw read ...');
    const raw = await run('raw');
    log('export ...');
    const exp = await run('export');

    const fmt = (n: number, d = 0): string =>
      n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
    const mb = (n: number): string => fmt(n / 1024 / 1024, 1);
    process.stdout.write(
      [
        `bench:export (${fmt(LETTERS)} letters, ${fmt(exp.items)} items, DynamoDB Local, ${CONCURRENCY} years at once, row groups of ${fmt(ROW_GROUP)})`,
        `  raw Query read          ${fmt(raw.letters / raw.seconds)} letters/s (${fmt(raw.letters)} in ${fmt(raw.seconds, 1)} s), peak RSS ${fmt(raw.maxRssKb / 1024)} MB`,
        `  export                  ${fmt(exp.letters / exp.seconds)} letters/s = ${fmt(exp.items / exp.seconds)} items/s (${fmt(exp.seconds, 1)} s), peak RSS ${fmt(exp.maxRssKb / 1024)} MB`,
        `  ratio export / raw      ${fmt(raw.seconds / exp.seconds, 2)}`,
        `  snapshot                ${exp.files} files; items CSV ${mb(exp.csvBytes)} MB, Parquet ${mb(exp.parquetBytes)} MB`,
        '',
      ].join('\n'),
    );
  } finally {
    await stack.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
