import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { S3Event } from 'aws-lambda';
import { createIngestHandler } from '../../functions/s3-ingest-letter.ts';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../local/dynamodb-local.ts';
import { readStackFile, STACK_FILE, type StackFile } from '../../local/stack-file.ts';
import { replayUnrecorded, startLocalStack } from '../../local/stack.ts';
import { createDynamoClient, createS3Client } from '../../shared/aws/index.ts';
import { LetterFormatError } from '../../shared/errors.ts';
import { s3LetterObjects } from '../../shared/ingest/index.ts';
import { createLogger } from '../../shared/logger.ts';
import { parseLetter } from '../../shared/parser/index.ts';
import { listReceiptObjects } from '../../shared/receipts/index.ts';
import { caseId, getUploads } from '../../shared/store/index.ts';
import { generateSpec, renderSyntheticText } from '../../synthetic/generate.ts';
import { audit, snapshot, type Audit } from './audit.ts';
import {
  CHAOS_SEED,
  countRecorded,
  deleteObject,
  deliver,
  putObject,
  shuffled,
  syntheticLetters,
  uploadAll,
  waitUntilRecorded,
} from './letters.ts';

// The fault scenarios of `npm run chaos` (and, smaller, of test/integration/chaos.test.ts). Each
// runs against a real local stack in its own directory under the data dir and ends with an
// audit: every uploaded object a determination or a recorded failure, every counter equal to a
// recount, no pending claim or chunk marker left, every receipt equal to its status.

export interface ScenarioOptions {
  /** Letters the scenario uploads (the redelivery and deletion scenarios use a quarter). */
  letters: number;
  /** A directory the scenario may fill (each scenario uses a subdirectory it empties first). */
  dataDir: string;
  /** Receives progress lines. */
  progress: (line: string) => void;
}

export interface ScenarioResult {
  name: string;
  audit: Audit;
  /** Uploads whose recorded outcome is not the one their final content calls for. */
  wrong: string[];
  /** What happened on the way, for the report (figures as text). */
  notes: string[];
  /** The same figures as numbers, for the tests (names per scenario). */
  figures: Record<string, number>;
  durationMs: number;
}

export interface Scenario {
  name: string;
  run(options: ScenarioOptions): Promise<Omit<ScenarioResult, 'name' | 'durationMs'>>;
}

const silent = createLogger({ level: 'silent' });
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

async function freshDir(options: ScenarioOptions, name: string): Promise<string> {
  const dir = resolve(options.dataDir, name);
  await rm(dir, { recursive: true, force: true });
  return dir;
}

/** Resolves once `until()` is true, checking every 100 ms. */
async function waitFor(until: () => boolean | Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await until())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** True once nothing accepts connections on the port (the killed JVM has let it go). */
function portClosed(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

// 1. DynamoDB Local killed (SIGKILL of its JVM) while letters are being ingested, and started
// again on the same port and data directory `outageMs` later (plus the JVM's start). Messages that
// fail meanwhile are retried by the SDK (5 attempts) and the queue (5 receives, backoff from
// 250 ms); an outage longer than that parks them in the dead-letter file, and the operator's
// redrive (what a restart of `npm start` does) finishes them.
function dynamoOutage(name: string, outageMs: number, share: number, org: string): Scenario {
  return {
    name,
    async run(options) {
      const dir = await freshDir(options, org);
      const letters = Math.max(12, Math.floor(options.letters * share));
      const stack = await startLocalStack({ dataDir: dir, logger: silent });
      const port = Number(new URL(stack.dynamodbEndpoint).port);
      let restarted: DynamoDbLocal | undefined;
      try {
        const files = syntheticLetters(letters, org);
        const uploading = uploadAll(stack.s3, stack.bucket, files);
        const killAt = Math.floor(letters / 3);
        await waitFor(() => stack.ingest.counts.succeeded >= killAt, 600_000, 'a third ingested');
        const before = { ...stack.ingest.counts };
        options.progress(
          `${before.succeeded} ingested: SIGKILL DynamoDB Local (pid ${stack.dynamodbPid})`,
        );
        const killedAt = Date.now();
        process.kill(stack.dynamodbPid, 'SIGKILL');
        await waitFor(() => portClosed(port), 10_000, 'the JVM to let its port go');
        await new Promise((r) => setTimeout(r, outageMs));
        restarted = await startDynamoDbLocal({ port, dataDir: join(dir, 'dynamodb') });
        const downMs = Date.now() - killedAt;
        options.progress(`DynamoDB Local answering again on port ${port} after ${downMs} ms down`);
        await uploading;
        await stack.ingest.idle();
        const counts = { ...stack.ingest.counts };
        const figures: Record<string, number> = {
          ingestedAtKill: before.succeeded,
          downMs,
          redeliveries: counts.retried,
          deadLettered: counts.deadLettered,
          redriven: 0,
        };
        const notes = [
          `killed at ${before.succeeded} ingested, down ${(downMs / 1000).toFixed(1)} s (JVM start ${(restarted.startupMs / 1000).toFixed(1)} s)`,
          `${counts.retried} redeliveries`,
          `${counts.deadLettered} dead-lettered`,
        ];
        if (counts.deadLettered > 0) {
          // What an operator does about a dead-letter queue: redrive it. Locally, the uploads the
          // dead letters announced have no status (or no receipt), which is what a restart of
          // `npm start` queues again; this does the same without the restart.
          const redriven = await replayUnrecorded(
            stack.s3,
            stack.table,
            stack.bucket,
            stack.ingest,
          );
          await stack.ingest.idle();
          figures['redriven'] = redriven;
          notes.push(`${redriven} redriven`);
          options.progress(`${counts.deadLettered} dead-lettered; redrove ${redriven} uploads`);
        }
        const keys = files.map((f) => f.key);
        return {
          audit: await audit(stack, stack.s3, stack.bucket, keys),
          wrong: [],
          notes,
          figures,
        };
      } finally {
        await stack.stop();
        await restarted?.stop();
      }
    },
  };
}

interface StackProcess {
  child: ChildProcess;
  /** This stack's file; npm start always records its JVM. */
  info: StackFile & { dynamodbPid: number };
  output: string[];
  exited: Promise<void>;
}

/** Runs `npm start` (scripts/start.ts, in one Node process) on `dir`; resolves once it is up. */
async function spawnStack(dir: string): Promise<StackProcess> {
  await rm(join(dir, STACK_FILE), { force: true });
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'scripts/start.ts',
      '--data-dir',
      dir,
      '--port',
      '0',
      '--export-interval',
      '0',
      '--log-level',
      'warn',
    ],
    { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const output: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => output.push(...chunk.split('\n').filter(Boolean)));
  }
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  let gone = false;
  void exited.then(() => (gone = true));
  let info: StackProcess['info'] | undefined;
  await waitFor(
    async () => {
      if (gone) throw new Error(`npm start exited:\n${output.join('\n')}`);
      const file = await readStackFile(dir);
      if (file !== null && file.pid === child.pid && file.dynamodbPid !== undefined) {
        info = { ...file, dynamodbPid: file.dynamodbPid };
      }
      return info !== undefined;
    },
    120_000,
    'npm start',
  );
  return { child, info: info!, output, exited };
}

// 2. The whole `npm start` process SIGKILLed in the middle of a batch (and its DynamoDB Local JVM,
// which a SIGKILL of Node leaves behind), then started again on the same data directory.
const processKill: Scenario = {
  name: 'ingest process killed mid-batch, restarted',
  async run(options) {
    const dir = await freshDir(options, 'process-kill');
    const files = syntheticLetters(options.letters, 'killed');
    const keys = files.map((f) => f.key);
    const notes: string[] = [];
    const figures: Record<string, number> = {};
    let first: StackProcess | undefined = await spawnStack(dir);
    let second: StackProcess | undefined;
    try {
      const s3 = createS3Client({ endpoint: first.info.s3Endpoint });
      const table = {
        client: createDynamoClient({ endpoint: first.info.dynamodbEndpoint }),
        tableName: first.info.tableName,
      };
      await uploadAll(s3, first.info.bucket, files);
      s3.destroy();
      const killAt = Math.floor(options.letters / 3);
      await waitFor(async () => (await countRecorded(table, keys)) >= killAt, 600_000, 'a third');
      first.child.kill('SIGKILL');
      await first.exited;
      // The orphaned JVM still serves the table as the killed writer left it.
      const left = await snapshot({ dynamodb: table.client, tableName: table.tableName });
      const recorded = left.uploads.filter((u) => keys.includes(u.key)).length;
      const pending = [...left.determinations.values()].filter((d) => d.state !== 'complete');
      figures['recordedAtKill'] = recorded;
      figures['pendingAtKill'] = pending.length;
      figures['queuedAtKill'] = left.queued;
      notes.push(
        `killed at ${recorded}/${keys.length} recorded, leaving ${pending.length} pending claims and ${left.queued} jobs queued or half-applied`,
      );
      options.progress(
        `SIGKILL npm start (pid ${first.child.pid}) at ${recorded} recorded; ${pending.length} pending claims, ${left.queued} jobs queued or half-applied`,
      );
      table.client.destroy();
      process.kill(first.info.dynamodbPid, 'SIGKILL');
      const port = Number(new URL(first.info.dynamodbEndpoint).port);
      await waitFor(() => portClosed(port), 10_000, 'the orphaned JVM to stop');
      first = undefined;

      second = await spawnStack(dir);
      const requeued = second.output
        .map((line) =>
          /"message":"uploads without a status or receipt queued again".*"count":(\d+)/.exec(line),
        )
        .find((m) => m !== null);
      figures['requeued'] = Number(requeued?.[1] ?? 0);
      notes.push(`restart queued ${requeued?.[1] ?? 0} uploads again`);
      options.progress(
        `restarted (pid ${second.child.pid}); ${requeued?.[1] ?? 0} uploads queued again`,
      );
      const s3Again = createS3Client({ endpoint: second.info.s3Endpoint });
      const tableAgain = {
        client: createDynamoClient({ endpoint: second.info.dynamodbEndpoint }),
        tableName: second.info.tableName,
      };
      try {
        await waitUntilRecorded(tableAgain, keys, 900_000, (n) =>
          options.progress(`${n}/${keys.length} recorded`),
        );
        // The status comes before the receipt: wait for the last receipts too.
        await waitFor(
          async () =>
            (await listReceiptObjects(s3Again, second!.info.bucket, 'receipts/killed/')).length >=
            keys.length,
          120_000,
          'the receipts',
        );
        const result = await audit(
          { dynamodb: tableAgain.client, tableName: tableAgain.tableName },
          s3Again,
          second.info.bucket,
          keys,
        );
        return { audit: result, wrong: [], notes, figures };
      } finally {
        s3Again.destroy();
        tableAgain.client.destroy();
      }
    } finally {
      if (first !== undefined) {
        first.child.kill('SIGKILL');
        await first.exited;
        process.kill(first.info.dynamodbPid, 'SIGKILL');
      }
      if (second !== undefined) {
        second.child.kill('SIGTERM');
        await second.exited;
      }
    }
  },
};

/** The outcome an object's content calls for: a case id, or a failure reason. */
async function expectedOutcome(bytes: Uint8Array, key: string): Promise<string> {
  const fileName = key.slice(key.lastIndexOf('/') + 1);
  try {
    const parsed = await parseLetter(bytes, fileName);
    return caseId(parsed.caseNumber, createHash('sha256').update(bytes).digest('hex'));
  } catch (e) {
    if (e instanceof LetterFormatError) return `failed:${e.reason}`;
    throw e;
  }
}

/** Checks each key's recorded outcome against its final content, and that no other case is stored. */
async function checkOutcomes(
  stack: Awaited<ReturnType<typeof startLocalStack>>,
  finalContent: ReadonlyMap<string, string>,
): Promise<string[]> {
  const wrong: string[] = [];
  const snap = await snapshot(stack);
  const uploads = new Map(
    (await getUploads(stack.table, [...finalContent.keys()])).map((u) => [u.key, u]),
  );
  const expectedCases = new Set<string>();
  for (const [key, expected] of finalContent) {
    const u = uploads.get(key);
    const got =
      u === undefined ? 'none' : u.status === 'failed' ? `failed:${u.reason}` : u.caseNumber;
    if (!expected.startsWith('failed:')) expectedCases.add(expected);
    if (got !== expected) wrong.push(`${key}: ${got}, expected ${expected}`);
  }
  for (const id of snap.determinations.keys()) {
    if (!expectedCases.has(id)) wrong.push(`${id} stored, but no upload holds it now`);
  }
  return wrong;
}

// 3. Every S3 event delivered two or three times, in a shuffled order, eight invocations at once:
// among them older events of keys that were overwritten (another version of the same case,
// another case, a page that is not a letter) arriving after the newer ones.
const redelivery: Scenario = {
  name: 'events twice and out of order',
  async run(options) {
    const dir = await freshDir(options, 'redelivery');
    const stack = await startLocalStack({ dataDir: dir, logger: silent });
    // Events are delivered by hand below, not by the local S3's notifications.
    await stack.ingest.close();
    try {
      const count = Math.max(8, Math.floor(options.letters / 4));
      const files = syntheticLetters(count, 'redelivery', 100_000);
      const events: S3Event[] = [];
      const finalContent = new Map<string, Uint8Array>();
      let overwritten = 0;
      for (const [n, f] of files.entries()) {
        events.push(await putObject(stack.s3, stack.bucket, f.key, f.bytes));
        finalContent.set(f.key, f.bytes);
        const second = secondVersion(n, 100_000 + n);
        if (second === null) continue;
        events.push(await putObject(stack.s3, stack.bucket, f.key, second));
        finalContent.set(f.key, second);
        overwritten++;
      }
      const r = shuffled(events, CHAOS_SEED);
      const deliveries = shuffled([...r, ...r, ...r.filter((_, i) => i % 3 === 0)], CHAOS_SEED + 1);
      options.progress(
        `${files.length} keys (${overwritten} overwritten): ${deliveries.length} deliveries of ${events.length} events`,
      );
      const handler = createIngestHandler({
        table: stack.table,
        objects: s3LetterObjects(stack.s3),
        logger: silent,
      });
      const counts = await deliver(handler, deliveries);
      const expected = new Map<string, string>();
      for (const [key, bytes] of finalContent) expected.set(key, await expectedOutcome(bytes, key));
      return {
        audit: await audit(stack, stack.s3, stack.bucket, [...finalContent.keys()]),
        wrong: await checkOutcomes(stack, expected),
        figures: {
          keys: files.length,
          overwritten,
          events: events.length,
          deliveries: counts.deliveries,
          retried: counts.retried,
        },
        notes: [
          `${events.length} events for ${files.length} keys, ${counts.deliveries} deliveries, ${counts.retried} retried`,
        ],
      };
    } finally {
      await stack.stop();
    }
  },
};

/** What key n is overwritten with, if anything: the same case changed, another case, HTML. */
function secondVersion(n: number, index: number): Uint8Array | null {
  const spec = generateSpec(index, CHAOS_SEED);
  switch (n % 4) {
    case 1:
      return null;
    case 2: {
      // The same letter with every decision reversed: the same case, other counters.
      const flip = { Upheld: 'Overturned', Overturned: 'Upheld' } as const;
      const items = spec.items.map((i) => ({ ...i, decision: flip[i.decision] }));
      return new TextEncoder().encode(renderSyntheticText({ ...spec, items }));
    }
    case 3: {
      // Another case entirely (a full letter, so its header names it).
      const other = generateSpec(index + 200_000, CHAOS_SEED);
      return new TextEncoder().encode(renderSyntheticText({ ...other, layout: 'full-letter' }));
    }
    default:
      return new TextEncoder().encode(
        '<!doctype html><html><body><h1>Not found</h1></body></html>',
      );
  }
}

// 4. Objects deleted between their event and its read: a new upload deleted before its event
// arrives, and a letter overwritten and then deleted before the overwrite's event arrives (the key
// no longer holds the case it produced). Each deleted object's event is delivered twice.
const deletion: Scenario = {
  name: 'object deleted before its event is read',
  async run(options) {
    const dir = await freshDir(options, 'deletion');
    const stack = await startLocalStack({ dataDir: dir, logger: silent });
    await stack.ingest.close();
    try {
      const handler = createIngestHandler({
        table: stack.table,
        objects: s3LetterObjects(stack.s3),
        logger: silent,
      });
      const count = Math.max(6, Math.floor(options.letters / 4));
      const files = syntheticLetters(count, 'deletion', 300_000);
      const expected = new Map<string, string>();
      const late: S3Event[] = [];
      let deletedNew = 0;
      let deletedOverwrite = 0;
      for (const [n, f] of files.entries()) {
        const created = await putObject(stack.s3, stack.bucket, f.key, f.bytes);
        if (n % 3 === 0) {
          // Uploaded and deleted before its event is read.
          await deleteObject(stack.s3, stack.bucket, f.key);
          late.push(created, created);
          expected.set(f.key, 'failed:object-missing');
          deletedNew++;
        } else if (n % 3 === 1) {
          await deliver(handler, [created]);
          expected.set(f.key, await expectedOutcome(f.bytes, f.key));
        } else {
          // Ingested, then overwritten by another case and deleted before that event is read.
          await deliver(handler, [created]);
          const other = generateSpec(400_000 + n, CHAOS_SEED);
          const bytes = new TextEncoder().encode(
            renderSyntheticText({ ...other, layout: 'full-letter' }),
          );
          const overwrite = await putObject(stack.s3, stack.bucket, f.key, bytes);
          await deleteObject(stack.s3, stack.bucket, f.key);
          late.push(overwrite, overwrite);
          expected.set(f.key, 'failed:object-missing');
          deletedOverwrite++;
        }
      }
      const counts = await deliver(handler, shuffled(late, CHAOS_SEED));
      return {
        audit: await audit(stack, stack.s3, stack.bucket, [...expected.keys()]),
        wrong: await checkOutcomes(stack, expected),
        figures: { deletedNew, deletedOverwrite, lateDeliveries: counts.deliveries },
        notes: [
          `${deletedNew} deleted before their first event, ${deletedOverwrite} ingested then overwritten and deleted; ${counts.deliveries} late deliveries`,
        ],
      };
    } finally {
      await stack.stop();
    }
  },
};

export const SCENARIOS: readonly Scenario[] = [
  dynamoOutage('DynamoDB Local killed mid-ingest, restarted', 3_000, 1, 'outage'),
  processKill,
  redelivery,
  deletion,
  // Longer than the retries last: dead letters, then the redrive.
  dynamoOutage('DynamoDB Local down 20 s, dead letters redriven', 20_000, 0.25, 'long-outage'),
];

/** Runs one scenario and times it. */
export async function runScenario(
  scenario: Scenario,
  options: ScenarioOptions,
): Promise<ScenarioResult> {
  const started = performance.now();
  const out = await scenario.run({
    ...options,
    progress: (line) => options.progress(`[${scenario.name}] ${line}`),
  });
  return { name: scenario.name, ...out, durationMs: performance.now() - started };
}
