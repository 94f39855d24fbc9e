import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  ConditionalCheckFailedException,
  GetItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type AttributeValue,
  type TransactWriteItem,
} from '@aws-sdk/client-dynamodb';
import { setTimeout as sleep } from 'node:timers/promises';
import { gunzipSync, gzipSync } from 'node:zlib';
import { z } from 'zod';
import { chunk, forEachLimit } from '../concurrency.ts';
import { fromItem, toItem } from './attributes.ts';
import { mergeDeltas, type CounterDelta } from './contribution.ts';
import { counterJobKey, counterLedgerKey, counterQueuePartition, STATS_SHARDS } from './keys.ts';
import type { TableDeps } from './table.ts';

// Counters are applied per batch of letters, outside the letters' transactions: each completed
// version queues its counter changes as one job in its lane, and the lane's applier sums a batch
// of jobs and updates each counter once. One item update per counter and batch instead of two
// write units per counter and letter, and no counter item is written by every letter.
// Exactly once: docs/DATA-MODEL.md, "Counters".

/** Jobs summed into one batch: keeps a batch's ledger small and its updates a few seconds' work. */
export const JOBS_PER_BATCH = 200;
/** A lane starts at most one batch per interval, so no counter is updated more than 10 times a second. */
export const MIN_BATCH_INTERVAL_MS = 100;
/** Batches one call applies before it leaves the rest to the next writer or the sweep. */
const MAX_BATCHES_PER_CALL = 50;
const UPDATE_CONCURRENCY = 16;
const MAX_UNPROCESSED_ROUNDS = 8;

/** How a writer waits for its lane: the defaults, overridden in `TableDeps.counters`. */
export interface CounterQueueOptions {
  /** How long a writer waits for another applier of its lane before leaving its job queued. */
  waitMs: number;
  /** A batch whose applier has not finished in this time is taken over (its applier died). */
  staleAfterMs: number;
}

export const COUNTER_QUEUE_DEFAULTS: CounterQueueOptions = { waitMs: 5_000, staleAfterMs: 30_000 };

/** The largest job a letter may queue (gzipped): far under DynamoDB's 400 KB item. */
export const MAX_JOB_BYTES = 150 * 1024;

export function encodeDeltas(deltas: readonly CounterDelta[]): Uint8Array {
  return gzipSync(JSON.stringify(deltas.map((d) => [d.PK, d.SK, d.upheld, d.overturned])));
}

const encodedDeltas = z.array(z.tuple([z.string(), z.string(), z.number(), z.number()]));

export function decodeDeltas(data: Uint8Array): CounterDelta[] {
  return encodedDeltas
    .parse(JSON.parse(gunzipSync(data).toString('utf8')))
    .map(([PK, SK, upheld, overturned]) => ({ PK, SK, upheld, overturned }));
}

/**
 * The job a version's counter changes become, as one action of the transaction that completes
 * the version: queued exactly when the version completes, never twice (the transaction's check
 * fails once the version is complete).
 */
export function counterJobPut(
  tableName: string,
  input: { lane: number; id: string; claim: string; queuedAt: string; deltas: CounterDelta[] },
): TransactWriteItem {
  return {
    Put: {
      TableName: tableName,
      Item: toItem({
        ...counterJobKey(input.lane, input.queuedAt, input.id, input.claim),
        type: 'counter-job',
        deltas: encodeDeltas(input.deltas),
      }),
      ConditionExpression: 'attribute_not_exists(PK)',
    },
  };
}

const ledgerSchema = z.object({
  seq: z.number().int().default(0),
  applying: z.array(z.string()).optional(),
  since: z.number().optional(),
  lastAt: z.number().optional(),
});
type Ledger = z.infer<typeof ledgerSchema>;

const jobSchema = z.object({ SK: z.string(), deltas: z.instanceof(Uint8Array) });

/** What a call left: the lane's queue empty, another applier still at work, or more to do. */
export type ApplyOutcome = 'empty' | 'busy' | 'more';

/**
 * Applies a lane's queued counter jobs, batch by batch, until the queue is empty. When another
 * applier holds the lane, waits for it (up to `waitMs`): on 'empty', every job queued before the
 * call has been applied.
 */
export async function applyQueuedCounters(deps: TableDeps, lane: number): Promise<ApplyOutcome> {
  const options = { ...COUNTER_QUEUE_DEFAULTS, ...deps.counters };
  const deadline = Date.now() + options.waitMs;
  for (let batches = 0; batches < MAX_BATCHES_PER_CALL;) {
    const ledger = await readLedger(deps, lane);
    if (ledger.applying !== undefined) {
      if (Date.now() - (ledger.since ?? 0) >= options.staleAfterMs) {
        // Its applier died (or is slow): applying the batch again is safe, see applyBatch.
        await applyBatch(deps, lane, ledger.seq, ledger.applying);
        batches++;
        continue;
      }
      if (Date.now() >= deadline) return 'busy';
      await sleep(25);
      continue;
    }
    const jobs = await queuedJobs(deps, lane);
    if (jobs.length === 0) return 'empty';
    const wait = (ledger.lastAt ?? 0) + MIN_BATCH_INTERVAL_MS - Date.now();
    if (wait > 0) {
      await sleep(wait);
      continue;
    }
    const keys = jobs.map((j) => j.SK);
    if (!(await startBatch(deps, lane, ledger.seq, keys))) continue;
    await applyBatch(deps, lane, ledger.seq + 1, keys, jobs);
    batches++;
  }
  return 'more';
}

async function readLedger(deps: TableDeps, lane: number): Promise<Ledger> {
  const res = await deps.client.send(
    new GetItemCommand({
      TableName: deps.tableName,
      Key: toItem({ ...counterLedgerKey(lane) }),
      ConsistentRead: true,
    }),
  );
  return ledgerSchema.parse(res.Item === undefined ? {} : fromItem(res.Item));
}

async function queuedJobs(deps: TableDeps, lane: number): Promise<z.infer<typeof jobSchema>[]> {
  const res = await deps.client.send(
    new QueryCommand({
      TableName: deps.tableName,
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: toItem({ ':pk': counterQueuePartition(lane) }),
      ConsistentRead: true,
      Limit: JOBS_PER_BATCH,
    }),
  );
  return (res.Items ?? []).map((i) => jobSchema.parse(fromItem(i)));
}

/** Claims the next batch number for these jobs; false when another applier got there first. */
async function startBatch(
  deps: TableDeps,
  lane: number,
  seq: number,
  keys: string[],
): Promise<boolean> {
  try {
    await deps.client.send(
      new UpdateItemCommand({
        TableName: deps.tableName,
        Key: toItem({ ...counterLedgerKey(lane) }),
        UpdateExpression: 'SET seq = :next, applying = :keys, since = :now',
        ConditionExpression:
          '(attribute_not_exists(seq) OR seq = :seq) AND attribute_not_exists(applying)',
        ExpressionAttributeValues: toItem({
          ':next': seq + 1,
          ':seq': seq,
          ':keys': keys,
          ':now': Date.now(),
        }),
      }),
    );
    return true;
  } catch (e) {
    if (e instanceof ConditionalCheckFailedException) return false;
    throw e;
  }
}

/**
 * Applies batch `seq` of a lane. Each counter records the last batch applied to it (`b`) and
 * takes a batch only once, so the batch can be applied again, in whole or in part, by any number
 * of appliers at once (a retry, or a takeover of a dead applier's batch). Jobs are deleted only
 * after every counter took the batch: when some are already gone, every counter has it.
 */
async function applyBatch(
  deps: TableDeps,
  lane: number,
  seq: number,
  keys: string[],
  read?: z.infer<typeof jobSchema>[],
): Promise<void> {
  const jobs = read ?? (await getJobs(deps, lane, keys));
  if (jobs.length === keys.length) {
    const deltas = mergeDeltas(...jobs.map((j) => decodeDeltas(j.deltas)));
    await forEachLimit(deltas, UPDATE_CONCURRENCY, (d) => applyDelta(deps, d, seq));
  }
  for (const slice of chunk(keys, 25)) {
    await batchWrite(
      deps,
      slice.map((SK) => ({
        DeleteRequest: { Key: toItem({ PK: counterQueuePartition(lane), SK }) },
      })),
    );
  }
  try {
    await deps.client.send(
      new UpdateItemCommand({
        TableName: deps.tableName,
        Key: toItem({ ...counterLedgerKey(lane) }),
        UpdateExpression: 'REMOVE applying, since SET lastAt = :now',
        ConditionExpression: 'seq = :seq AND attribute_exists(applying)',
        ExpressionAttributeValues: toItem({ ':seq': seq, ':now': Date.now() }),
      }),
    );
  } catch (e) {
    // Another applier of the same batch finished it first.
    if (!(e instanceof ConditionalCheckFailedException)) throw e;
  }
}

async function applyDelta(deps: TableDeps, d: CounterDelta, seq: number): Promise<void> {
  try {
    await deps.client.send(
      new UpdateItemCommand({
        TableName: deps.tableName,
        Key: toItem({ PK: d.PK, SK: d.SK }),
        UpdateExpression: 'ADD upheld :u, overturned :o SET b = :seq',
        ConditionExpression: 'attribute_not_exists(b) OR b < :seq',
        ExpressionAttributeValues: toItem({ ':u': d.upheld, ':o': d.overturned, ':seq': seq }),
      }),
    );
  } catch (e) {
    // The counter already took this batch.
    if (!(e instanceof ConditionalCheckFailedException)) throw e;
  }
}

async function getJobs(
  deps: TableDeps,
  lane: number,
  keys: string[],
): Promise<z.infer<typeof jobSchema>[]> {
  const out: z.infer<typeof jobSchema>[] = [];
  for (const slice of chunk(keys, 100)) {
    let pending: Record<string, AttributeValue>[] = slice.map((SK) =>
      toItem({ PK: counterQueuePartition(lane), SK }),
    );
    for (let round = 0; pending.length > 0; round++) {
      if (round >= MAX_UNPROCESSED_ROUNDS) throw new Error('counter jobs left unread by DynamoDB');
      const res = await deps.client.send(
        new BatchGetItemCommand({
          RequestItems: { [deps.tableName]: { Keys: pending, ConsistentRead: true } },
        }),
      );
      for (const item of res.Responses?.[deps.tableName] ?? []) {
        out.push(jobSchema.parse(fromItem(item)));
      }
      pending = res.UnprocessedKeys?.[deps.tableName]?.Keys ?? [];
      if (pending.length > 0) await sleep(50 * (round + 1));
    }
  }
  return out;
}

async function batchWrite(
  deps: TableDeps,
  requests: NonNullable<
    ConstructorParameters<typeof BatchWriteItemCommand>[0]['RequestItems']
  >[string],
): Promise<void> {
  let pending = requests;
  for (let round = 0; pending.length > 0; round++) {
    if (round >= MAX_UNPROCESSED_ROUNDS) throw new Error('counter jobs left undeleted by DynamoDB');
    const res = await deps.client.send(
      new BatchWriteItemCommand({ RequestItems: { [deps.tableName]: pending } }),
    );
    pending = res.UnprocessedItems?.[deps.tableName] ?? [];
    if (pending.length > 0) await sleep(50 * (round + 1));
  }
}

/**
 * Applies what every lane has queued: the scheduled sweep on AWS (jobs left by a writer that
 * timed out or gave up waiting) and a local stack's start.
 */
export async function applyAllQueuedCounters(deps: TableDeps): Promise<ApplyOutcome[]> {
  const lanes = Array.from({ length: STATS_SHARDS }, (_, lane) => lane);
  return Promise.all(lanes.map((lane) => applyQueuedCounters(deps, lane)));
}
