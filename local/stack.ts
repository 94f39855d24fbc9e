import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createIngestHandler } from '../functions/s3-ingest-letter.ts';
import { createDynamoClient, createS3Client } from '../shared/aws/index.ts';
import { UPLOADS_PREFIX, s3LetterObjects } from '../shared/ingest/index.ts';
import {
  listReceiptObjects,
  RECEIPTS_PREFIX,
  receiptFor,
  receiptJson,
  receiptKey,
} from '../shared/receipts/index.ts';
import {
  applyAllQueued,
  createTableInput,
  type ApplyQueueOptions,
  getUploads,
  type TableDeps,
} from '../shared/store/index.ts';
import { createLogger, type Logger } from '../shared/logger.ts';
import { startDynamoDbLocal } from './dynamodb-local.ts';
import { createIngestQueue, type IngestQueue } from './ingest-queue.ts';
import { objectCreatedEvent, startS3Local, type CutShort } from './s3-local.ts';
import { isRunning, readStackFile, STACK_FILE, writeStackFile } from './stack-file.ts';

/** Names the local stack gives its table and bucket (AWS names come from the CDK stacks). */
export const LOCAL_TABLE = 'imr-atlas';
export const LOCAL_BUCKET = 'imr-atlas-uploads';
/** Where statistics exports are written (docs/EXPORTS.md). */
export const LOCAL_EXPORTS_BUCKET = 'imr-atlas-exports';

export interface LocalStackOptions {
  /** Keeps DynamoDB and S3 data here across restarts; null keeps everything in memory/temp. */
  dataDir: string | null;
  logger?: Logger;
  /** Ingest messages handled at once (the function's reserved concurrency on AWS). */
  concurrency?: number;
  dynamoPort?: number;
  s3Port?: number;
  /** How writers wait for their lane's applier (default: shared/store/apply-queue.ts). */
  queue?: Partial<ApplyQueueOptions>;
  /**
   * Applies what the lanes hold this often, as the scheduled `ApplyQueued` does on AWS (a batch
   * abandoned in a DynamoDB outage is taken over once stale). Off by default: tests drive the
   * lanes themselves.
   */
  sweepEveryMs?: number;
}

export interface LocalStack {
  dataDir: string | null;
  dynamodbEndpoint: string;
  /** DynamoDB Local's JVM, which outlives a killed Node process (stack.json records it too). */
  dynamodbPid: number;
  s3Endpoint: string;
  tableName: string;
  bucket: string;
  exportsBucket: string;
  table: TableDeps;
  dynamodb: DynamoDBClient;
  s3: S3Client;
  ingest: IngestQueue;
  stop(): Promise<void>;
}

/** Starts DynamoDB Local and the local S3, creates the table and bucket, and wires ingestion. */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const logger = options.logger ?? createLogger({ level: 'warn', service: 'local' });
  const dataDir = options.dataDir === null ? null : resolve(options.dataDir);
  const s3Dir =
    dataDir === null
      ? join((await import('node:os')).tmpdir(), `imr-s3-${process.pid}-${Date.now()}`)
      : join(dataDir, 's3');
  let killed = false;
  if (dataDir !== null) {
    await mkdir(dataDir, { recursive: true });
    killed = await claimDataDir(dataDir, logger);
  }

  const dynamo = await startDynamoDbLocal({
    ...(dataDir === null ? {} : { dataDir: join(dataDir, 'dynamodb') }),
    ...(options.dynamoPort === undefined ? {} : { port: options.dynamoPort }),
  });
  let s3Server;
  try {
    s3Server = await startS3Local({
      directory: s3Dir,
      buckets: [LOCAL_BUCKET, LOCAL_EXPORTS_BUCKET],
      // Only a stack that was killed can have left a write cut short.
      ...(killed
        ? {
            onCutShort: ({ bucket, key, kept }: CutShort) =>
              logger.warn(
                kept
                  ? 'object whose metadata a killed process left cut short kept without it'
                  : 'object left cut short by a killed process removed',
                { bucket, key },
              ),
          }
        : {}),
      ...(options.s3Port === undefined ? {} : { port: options.s3Port }),
    });
  } catch (e) {
    await dynamo.stop();
    throw e;
  }

  const dynamodb = createDynamoClient({ endpoint: dynamo.endpoint });
  const s3 = createS3Client({ endpoint: s3Server.endpoint });
  const table: TableDeps = {
    client: dynamodb,
    tableName: LOCAL_TABLE,
    ...(options.queue === undefined ? {} : { queue: options.queue }),
  };
  try {
    await ensureTable(dynamodb, LOCAL_TABLE);
  } catch (e) {
    await s3Server.stop();
    await dynamo.stop();
    throw e;
  }

  // Index entries and counters the last stack queued and did not apply; after a kill, its
  // batches are abandoned and taken over at once rather than after they go stale.
  try {
    const outcomes = await applyAllQueued({
      ...table,
      queue: killed ? { staleAfterMs: 0, waitMs: 0 } : { waitMs: 0 },
    });
    if (outcomes.some((o) => o !== 'empty'))
      logger.warn('changes left queued by the last stack not all applied', { outcomes });
  } catch (e) {
    await s3Server.stop();
    await dynamo.stop();
    throw e;
  }

  const handler = createIngestHandler({
    table,
    objects: s3LetterObjects(s3),
    logger: logger.child({ service: 'ingest' }),
  });
  const ingest = createIngestQueue({
    handler,
    logger,
    ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
    ...(dataDir === null ? {} : { deadLetterFile: join(dataDir, 'dead-letters.jsonl') }),
  });
  // As the bucket notification on AWS is configured: only objects under the upload bucket's
  // uploads/ prefix reach the queue (receipts and exports are written beside them).
  const unsubscribe = s3Server.onObjectCreated((event) => {
    const Records = event.Records.filter(
      (r) => r.s3.bucket.name === LOCAL_BUCKET && r.s3.object.key.startsWith(UPLOADS_PREFIX),
    );
    if (Records.length > 0) ingest.send({ ...event, Records });
  });
  const replayed = await replayUnrecorded(s3, table, LOCAL_BUCKET, ingest);
  if (replayed > 0)
    logger.warn('uploads without a status or receipt queued again', { count: replayed });

  if (dataDir !== null) {
    await writeStackFile(dataDir, {
      pid: process.pid,
      dynamodbEndpoint: dynamo.endpoint,
      dynamodbPid: dynamo.pid,
      s3Endpoint: s3Server.endpoint,
      tableName: LOCAL_TABLE,
      bucket: LOCAL_BUCKET,
      exportsBucket: LOCAL_EXPORTS_BUCKET,
    });
  }

  let sweeping: Promise<unknown> | undefined;
  const sweep =
    options.sweepEveryMs === undefined
      ? undefined
      : setInterval(() => {
          sweeping ??= applyAllQueued({ ...table, queue: { waitMs: 0 } })
            .then((outcomes) => {
              if (outcomes.some((o) => typeof o === 'object'))
                logger.warn('applying queued index entries and counters failed', { outcomes });
            })
            .finally(() => (sweeping = undefined));
        }, options.sweepEveryMs).unref();

  return {
    dataDir,
    dynamodbEndpoint: dynamo.endpoint,
    dynamodbPid: dynamo.pid,
    s3Endpoint: s3Server.endpoint,
    tableName: LOCAL_TABLE,
    bucket: LOCAL_BUCKET,
    exportsBucket: LOCAL_EXPORTS_BUCKET,
    table,
    dynamodb,
    s3,
    ingest,
    async stop() {
      unsubscribe();
      clearInterval(sweep);
      await ingest.close();
      await sweeping;
      dynamodb.destroy();
      s3.destroy();
      await s3Server.stop();
      await dynamo.stop();
      if (dataDir !== null) await rm(join(dataDir, STACK_FILE), { force: true });
      else await rm(s3Dir, { recursive: true, force: true });
    },
  };
}

/** Another live process runs a stack on the same data dir. */
export class DataDirInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(
      `${dataDir} is in use by another local stack (process ${pid}): stop it first, or start ` +
        `this one with another --data-dir.`,
    );
    this.name = 'DataDirInUseError';
  }
}

/**
 * Makes sure no other stack uses `dataDir`. Two DynamoDB Local processes on one database file
 * would both write it, so a live stack is refused; the JVM of a stack whose Node process was
 * killed (SIGKILL cannot be caught, and the JVM runs in its own process group) is stopped here,
 * which is what an operator would otherwise have to find and do by hand. True when a stack on
 * `dataDir` did not stop cleanly (a clean stop removes its stack file).
 */
async function claimDataDir(dataDir: string, logger: Logger): Promise<boolean> {
  const recorded = await readStackFile(dataDir);
  if (recorded === null) return false;
  const { pid, dynamodbPid } = recorded;
  if (pid !== process.pid && isRunning(pid)) {
    throw new DataDirInUseError(dataDir, pid);
  }
  if (dynamodbPid !== undefined && isRunning(dynamodbPid) && isDynamoDbLocal(dynamodbPid)) {
    logger.warn('stopping the DynamoDB Local left running by a stack that was killed', {
      pid: dynamodbPid,
    });
    process.kill(dynamodbPid, 'SIGKILL');
    for (let waited = 0; isRunning(dynamodbPid) && waited < 10_000; waited += 50) {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return true;
}

// A recorded process id can have been reused by an unrelated process since; only a process
// whose command line names DynamoDB Local is stopped (where /proc exists, i.e. on Linux).
function isDynamoDbLocal(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('DynamoDBLocal');
  } catch {
    return false;
  }
}

/**
 * Queues again every upload that has no status record, or no receipt: its event was lost when the
 * stack stopped before ingesting it (Ctrl+C drops queued messages; a crash drops everything in
 * flight, possibly between the status and the receipt), or it was ingested before receipts
 * existed. On AWS, SQS keeps those messages; locally, the bucket and the table are the record. A
 * replayed upload that has a status takes the re-delivery path, which writes only its receipt.
 * Returns how many.
 */
export async function replayUnrecorded(
  s3: S3Client,
  table: TableDeps,
  bucket: string,
  ingest: IngestQueue,
): Promise<number> {
  // A receipt is an exact function of its status record, so its ETag (the MD5 of a single-part
  // put) tells whether the bucket holds the receipt in full: a process killed while the local S3
  // wrote it leaves a cut-short file that must be written again.
  const receipts = new Map(
    (await listReceiptObjects(s3, bucket, RECEIPTS_PREFIX)).map((o) => [
      o.key,
      o.eTag.replace(/"/g, ''),
    ]),
  );
  let replayed = 0;
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: UPLOADS_PREFIX,
        ContinuationToken: token,
      }),
    );
    const objects = (page.Contents ?? []).filter(
      (o) => o.Key !== undefined && !o.Key.endsWith('/'),
    );
    const recorded = new Map(
      (
        await getUploads(
          table,
          objects.map((o) => o.Key!),
        )
      ).map((u) => [u.key, u]),
    );
    for (const o of objects) {
      const receipt = receiptKey(o.Key!);
      const upload = recorded.get(o.Key!);
      const whole =
        receipt === null ||
        (upload !== undefined &&
          receipts.get(receipt) ===
            createHash('md5')
              .update(receiptJson(receiptFor(upload)))
              .digest('hex'));
      if (upload !== undefined && whole) continue;
      ingest.send(
        objectCreatedEvent(bucket, o.Key!, {
          size: o.Size ?? 0,
          eTag: (o.ETag ?? '').replace(/"/g, ''),
        }),
      );
      replayed++;
    }
    token = page.NextContinuationToken;
  } while (token !== undefined);
  return replayed;
}

/** Creates the table when absent and waits until it is active. */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return;
  } catch (e) {
    if (!(e instanceof ResourceNotFoundException)) throw e;
  }
  try {
    await client.send(new CreateTableCommand(createTableInput(tableName)));
  } catch (e) {
    if (!(e instanceof ResourceInUseException)) throw e;
  }
  for (;;) {
    const out = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (out.Table?.TableStatus === 'ACTIVE') return;
    await new Promise((r) => setTimeout(r, 50));
  }
}
