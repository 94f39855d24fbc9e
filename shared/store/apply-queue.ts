import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  ConditionalCheckFailedException,
  GetItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type AttributeValue,
  type TransactWriteItem,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { setTimeout as sleep } from 'node:timers/promises';
import { gunzipSync, gzipSync } from 'node:zlib';
import { z } from 'zod';
import { chunk, forEachLimit } from '../concurrency.ts';
import { fromItem, toItem, type Plain } from './attributes.ts';
import { indexEntries, mergeDeltas, type CounterDelta } from './contribution.ts';
import {
  changeJobKey,
  changeQueuePartition,
  laneLedgerKey,
  setAsideKey,
  STATS_SHARDS,
} from './keys.ts';
import {
  entryItem,
  getStoredDetermination,
  type StoredDetermination,
} from './stored-determination.ts';
import type { TableDeps } from './table.ts';

// A determination's index entries and counters are written per batch of letters, outside the
// letters' transactions: each completed version queues one job in its lane, and the lane's
// applier takes a batch of jobs, updates each counter once and writes the entries of each case
// the batch touches. Counters exactly once, entries as the record now stands:
// docs/DATA-MODEL.md, "Index entries and counters".

/** Jobs in one batch: keeps a batch's ledger small. */
export const JOBS_PER_BATCH = 200;
/**
 * Writes in one batch (counters, entries put and deleted, as the jobs weigh them), so that a
 * batch is a few seconds' work, well within its window, however large its letters; a single job
 * heavier than this (a replacement of a 100-item letter) is a batch of its own.
 */
export const WRITES_PER_BATCH = 5_000;
/**
 * A lane starts at most one batch per interval: its ledger (two updates a batch) and every
 * counter take at most 10 updates a second, however fast letters arrive.
 */
export const MIN_BATCH_INTERVAL_MS = 200;
/**
 * An applier writes index entries only this long after it took its batch; others take a batch
 * over only after `staleAfterMs` (30 s by default), so a slow applier never writes an entry
 * after a later batch did.
 */
export const ENTRY_WRITE_WINDOW_MS = 20_000;
/** Every lane: one per counter shard, since a case's jobs go to its counters' shard. */
const LANES = Array.from({ length: STATS_SHARDS }, (_, lane) => lane);
/** Batches one call applies before it leaves the rest to the next writer or the sweep. */
const MAX_BATCHES_PER_CALL = 50;
const WRITE_CONCURRENCY = 16;
const MAX_UNPROCESSED_ROUNDS = 8;

/** How a writer waits for its lane: the defaults, overridden in `TableDeps.queue`. */
export interface ApplyQueueOptions {
  /** How long a writer waits for another applier of its lane before leaving its job queued. */
  waitMs: number;
  /** A batch whose applier has not finished in this time is taken over (its applier died). */
  staleAfterMs: number;
}

export const APPLY_QUEUE_DEFAULTS: ApplyQueueOptions = { waitMs: 5_000, staleAfterMs: 30_000 };

/** The largest job a letter may queue (gzipped): far under DynamoDB's 400 KB item. */
export const MAX_JOB_BYTES = 150 * 1024;

/** What a completed version changes besides its record: counters, and entries it no longer has. */
export interface Changes {
  deltas: CounterDelta[];
  /** Index entries of the version replaced that this one lacks (keys). */
  drop: { PK: string; SK: string }[];
}

const encodedChanges = z.object({
  c: z.array(z.tuple([z.string(), z.string(), z.number(), z.number()])),
  d: z.array(z.tuple([z.string(), z.string()])),
});

export function encodeChanges(changes: Changes): Uint8Array {
  return gzipSync(
    JSON.stringify({
      c: changes.deltas.map((d) => [d.PK, d.SK, d.upheld, d.overturned]),
      d: changes.drop.map((k) => [k.PK, k.SK]),
    }),
  );
}

export function decodeChanges(data: Uint8Array): Changes {
  const parsed = encodedChanges.parse(JSON.parse(gunzipSync(data).toString('utf8')));
  return {
    deltas: parsed.c.map(([PK, SK, upheld, overturned]) => ({ PK, SK, upheld, overturned })),
    drop: parsed.d.map(([PK, SK]) => ({ PK, SK })),
  };
}

/**
 * The job a completed version becomes, as one action of the transaction that completes it:
 * queued exactly when the version completes, never twice (that transaction's check fails once
 * the version is complete).
 */
export function changeJobPut(
  tableName: string,
  input: {
    lane: number;
    id: string;
    claim: string;
    queuedAt: string;
    changes: Changes;
    /** The writes the job leads to: its counters, the entries it drops and its record's. */
    weight: number;
  },
): TransactWriteItem {
  return {
    Put: {
      TableName: tableName,
      Item: toItem({
        ...changeJobKey(input.lane, input.queuedAt, input.id, input.claim),
        type: 'change-job',
        caseId: input.id,
        claim: input.claim,
        changes: encodeChanges(input.changes),
        weight: input.weight,
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

const jobSchema = z.object({
  SK: z.string(),
  caseId: z.string(),
  claim: z.string(),
  changes: z.instanceof(Uint8Array),
  weight: z.number().int().nonnegative(),
});
/** A queued item: its key, and the job it holds or why it cannot be read. */
type Job = { SK: string; item: Record<string, unknown> } & (
  { ok: true; job: z.infer<typeof jobSchema> } | { ok: false; problem: string }
);

function readJob(item: Record<string, unknown>): Job {
  const SK = String(item['SK']);
  const parsed = jobSchema.safeParse(item);
  if (!parsed.success) return { SK, item, ok: false, problem: z.prettifyError(parsed.error) };
  return { SK, item, ok: true, job: parsed.data };
}

/** What a call left: the lane's queue empty, another applier still at work, or more to do. */
export type ApplyOutcome = 'empty' | 'busy' | 'more';

/** An applier that ran out of its window to write entries leaves its batch to be taken over. */
class WindowClosed extends Error {}

/**
 * Applies a lane's queued jobs, batch by batch, until the queue is empty. When another applier
 * holds the lane, waits for it (up to `waitMs`): on 'empty', every job queued before the call
 * has been applied.
 */
export async function applyQueued(
  deps: TableDeps,
  lane: number,
  /** No batch is started after this time (epoch ms): a caller's own deadline. */
  stopBy = Infinity,
): Promise<ApplyOutcome> {
  const options = { ...APPLY_QUEUE_DEFAULTS, ...deps.queue };
  const deadline = Date.now() + options.waitMs;
  try {
    for (let batches = 0; batches < MAX_BATCHES_PER_CALL && Date.now() < stopBy;) {
      const ledger = await readLedger(deps, lane);
      if (ledger.applying !== undefined) {
        if (Date.now() - (ledger.since ?? 0) >= options.staleAfterMs) {
          // Its applier died (or is slow): applying the batch again is safe, see applyBatch.
          const since = await takeOver(deps, lane, ledger);
          if (since !== null) await applyBatch(deps, lane, ledger.seq, ledger.applying, since);
          batches++;
          continue;
        }
        if (Date.now() >= deadline) return 'busy';
        await sleep(25);
        continue;
      }
      const jobs = await queuedJobs(deps, lane);
      if (jobs.length === 0) return 'empty';
      // Capped: a lastAt ahead of this host's clock must not stop the lane.
      const wait = Math.min(
        MIN_BATCH_INTERVAL_MS,
        (ledger.lastAt ?? 0) + MIN_BATCH_INTERVAL_MS - Date.now(),
      );
      if (wait > 0) await sleep(wait);
      const keys = jobs.map((j) => j.SK);
      const since = await startBatch(deps, lane, ledger.seq, keys);
      if (since === null) continue;
      await applyBatch(deps, lane, ledger.seq + 1, keys, since, jobs);
      batches++;
    }
  } catch (e) {
    if (e instanceof WindowClosed) return 'busy';
    throw e;
  }
  return 'more';
}

/**
 * Applies what every lane has queued: the scheduled sweep on AWS (jobs left by a writer that
 * died or gave up waiting) and a local stack's start.
 */
export async function applyAllQueued(
  deps: TableDeps,
  stopBy = Infinity,
): Promise<(ApplyOutcome | { failed: unknown })[]> {
  // Every lane runs to its end: one that fails does not cut the others short.
  const settled = await Promise.allSettled(LANES.map((lane) => applyQueued(deps, lane, stopBy)));
  return settled.map((r) => (r.status === 'fulfilled' ? r.value : { failed: r.reason }));
}

/** How many jobs each lane has set aside (could not apply), for the sweep's alarm. */
export async function setAsideCount(deps: TableDeps): Promise<number[]> {
  return Promise.all(
    LANES.map(async (lane) => {
      const res = await deps.client.send(
        new QueryCommand({
          TableName: deps.tableName,
          KeyConditionExpression: 'PK = :pk',
          ExpressionAttributeValues: toItem({ ':pk': setAsideKey(lane, '').PK }),
          Select: 'COUNT',
          Limit: 100,
        }),
      );
      return res.Count ?? 0;
    }),
  );
}

async function readLedger(deps: TableDeps, lane: number): Promise<Ledger> {
  const res = await deps.client.send(
    new GetItemCommand({
      TableName: deps.tableName,
      Key: toItem({ ...laneLedgerKey(lane) }),
      ConsistentRead: true,
    }),
  );
  return ledgerSchema.parse(res.Item === undefined ? {} : fromItem(res.Item));
}

async function queuedJobs(deps: TableDeps, lane: number): Promise<Job[]> {
  const res = await deps.client.send(
    new QueryCommand({
      TableName: deps.tableName,
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: toItem({ ':pk': changeQueuePartition(lane) }),
      ConsistentRead: true,
      Limit: JOBS_PER_BATCH,
    }),
  );
  const jobs = (res.Items ?? []).map((i) => readJob(fromItem(i)));
  let writes = 0;
  const batch = jobs.filter((j) => (writes += j.ok ? j.job.weight : 0) <= WRITES_PER_BATCH);
  return batch.length > 0 ? batch : jobs.slice(0, 1);
}

/** Updates the ledger if it still reads as `condition` says; false when another applier won. */
async function updateLedger(
  deps: TableDeps,
  lane: number,
  update: string,
  condition: string,
  values: Record<string, number | string[]>,
): Promise<boolean> {
  try {
    await deps.client.send(
      new UpdateItemCommand({
        TableName: deps.tableName,
        Key: toItem({ ...laneLedgerKey(lane) }),
        UpdateExpression: update,
        ConditionExpression: condition,
        ExpressionAttributeValues: toItem(values),
      }),
    );
    return true;
  } catch (e) {
    if (e instanceof ConditionalCheckFailedException) return false;
    throw e;
  }
}

/** Claims the next batch number for these jobs: the time it was taken, or null if another won. */
async function startBatch(
  deps: TableDeps,
  lane: number,
  seq: number,
  keys: string[],
): Promise<number | null> {
  const now = Date.now();
  const won = await updateLedger(
    deps,
    lane,
    'SET seq = :next, applying = :keys, since = :now',
    '(attribute_not_exists(seq) OR seq = :seq) AND attribute_not_exists(applying)',
    { ':next': seq + 1, ':seq': seq, ':keys': keys, ':now': now },
  );
  return won ? now : null;
}

/** Takes a stale batch over (one taker at a time): the time it was taken, or null. */
async function takeOver(deps: TableDeps, lane: number, ledger: Ledger): Promise<number | null> {
  const now = Date.now();
  const won = await updateLedger(
    deps,
    lane,
    'SET since = :now',
    'seq = :seq AND since = :since AND attribute_exists(applying)',
    { ':seq': ledger.seq, ':since': ledger.since ?? 0, ':now': now },
  );
  return won ? now : null;
}

/**
 * Applies batch `seq` of a lane, taken at `since`. Each counter records the last batch applied to
 * it (`b`) and takes a batch only once, so the batch can be applied again, in whole or in part,
 * by a retry or by a taker-over running beside a slow applier. Entries are written as each case
 * now stands, only within the batch's window. Jobs are deleted last: when some are already gone,
 * another applier finished the batch.
 */
async function applyBatch(
  deps: TableDeps,
  lane: number,
  seq: number,
  keys: string[],
  since: number,
  read?: Job[],
): Promise<void> {
  // The jobs still queued: when some are gone, another applier got further with this batch, and
  // applying the rest again changes no counter twice (each took the batch once) and no entry.
  const jobs = read ?? (await getJobs(deps, lane, keys));
  const changes: (Changes & { caseId: string; claim: string })[] = [];
  const unreadable: SetAside[] = [];
  for (const j of jobs) {
    try {
      if (!j.ok) throw new Error(j.problem);
      changes.push({ caseId: j.job.caseId, claim: j.job.claim, ...decodeChanges(j.job.changes) });
    } catch (e) {
      unreadable.push({ lane, item: j.item, problem: `job unreadable: ${String(e)}` });
    }
  }
  const deltas = mergeDeltas(...changes.map((c) => c.deltas));
  await forEachLimit(deltas, WRITE_CONCURRENCY, (d) => applyDelta(deps, d, seq));
  const unapplied = await writeEntries(deps, changes, since);
  // What cannot be applied is kept aside for an operator (DEPLOY.md, Operate) rather than left
  // in the queue, where it would stop the lane for good.
  await setAside(deps, [
    ...unreadable,
    ...jobs
      .filter((j) => j.ok && unapplied.has(j.job.caseId))
      .map((j) => ({ lane, item: j.item, problem: unapplied.get(j.ok ? j.job.caseId : '')! })),
  ]);
  await batchWrite(
    deps,
    keys.map((SK) => ({
      DeleteRequest: { Key: toItem({ PK: changeQueuePartition(lane), SK }) },
    })),
  );
  // Only the batch's holder ends it: an applier it was taken from (its window closed) leaves the
  // ledger to the taker, so no later batch starts while the taker still writes.
  await updateLedger(
    deps,
    lane,
    'REMOVE applying, since SET lastAt = :now',
    'seq = :seq AND since = :since',
    { ':seq': seq, ':since': since, ':now': Date.now() },
  );
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

/**
 * Brings the index entries of every case the batch touches to its record as it now stands: the
 * entries its jobs dropped are deleted unless the record has them, and the record's entries are
 * put when the record is one of the batch's own versions (otherwise a later job, queued when
 * that version completes, puts them). Whatever order versions of a case are applied in, the last
 * job of the case leaves exactly its record's entries, and a batch writes no more than its jobs
 * weigh.
 */
async function writeEntries(
  deps: TableDeps,
  jobs: readonly (Changes & { caseId: string; claim: string })[],
  since: number,
): Promise<Map<string, string>> {
  const cases = new Map<
    string,
    { claims: Set<string>; drop: Map<string, { PK: string; SK: string }> }
  >();
  for (const j of jobs) {
    const c = cases.get(j.caseId) ?? { claims: new Set<string>(), drop: new Map() };
    c.claims.add(j.claim);
    for (const k of j.drop) c.drop.set(`${k.PK}\u0000${k.SK}`, k);
    cases.set(j.caseId, c);
  }
  const requests: WriteRequest[] = [];
  const unreadable = new Map<string, string>();
  await forEachLimit([...cases], WRITE_CONCURRENCY, async ([id, c]) => {
    let stored: StoredDetermination | null;
    try {
      stored = await getStoredDetermination(deps, id);
    } catch (e) {
      if (!(e instanceof z.ZodError || e instanceof SyntaxError || isZlibError(e))) throw e;
      unreadable.set(id, `record unreadable, its index entries not written: ${String(e)}`);
      return;
    }
    const entries = stored?.record == null ? [] : indexEntries(id, stored.record);
    for (const e of entries) c.drop.delete(`${e.PK}\u0000${e.SK}`);
    if (stored !== null && c.claims.has(stored.claim)) {
      for (const e of entries) requests.push({ PutRequest: { Item: entryItem(e) } });
    }
    for (const k of c.drop.values()) requests.push({ DeleteRequest: { Key: toItem({ ...k }) } });
  });
  // No request starts after the window closes, and those (with the SDK's retries) still in
  // flight then are aborted.
  const closesAt = since + ENTRY_WRITE_WINDOW_MS;
  const window = {
    closesAt,
    signal: AbortSignal.timeout(Math.max(0, closesAt - Date.now())),
  };
  await forEachLimit(chunk(requests, 25), WRITE_CONCURRENCY, (slice) =>
    batchWrite(deps, slice, window),
  );
  return unreadable;
}

function isZlibError(e: unknown): boolean {
  return e instanceof Error && 'code' in e && String(e.code).startsWith('Z_');
}

/** A job that cannot be applied, kept aside with why. */
interface SetAside {
  lane: number;
  item: Record<string, unknown>;
  problem: string;
}

async function setAside(deps: TableDeps, jobs: readonly SetAside[]): Promise<void> {
  await batchWrite(
    deps,
    jobs.map((j) => ({
      PutRequest: {
        Item: toItem({
          ...(j.item as Record<string, Plain>),
          ...setAsideKey(j.lane, String(j.item['SK'])),
          type: 'set-aside-job',
          problem: j.problem.slice(0, 2_000),
        }),
      },
    })),
  );
}

async function getJobs(deps: TableDeps, lane: number, keys: string[]): Promise<Job[]> {
  const out: Job[] = [];
  for (const slice of chunk(keys, 100)) {
    let pending: Record<string, AttributeValue>[] = slice.map((SK) =>
      toItem({ PK: changeQueuePartition(lane), SK }),
    );
    for (let round = 0; pending.length > 0; round++) {
      if (round >= MAX_UNPROCESSED_ROUNDS) throw new Error('queued jobs left unread by DynamoDB');
      const res = await deps.client.send(
        new BatchGetItemCommand({
          RequestItems: { [deps.tableName]: { Keys: pending, ConsistentRead: true } },
        }),
      );
      for (const item of res.Responses?.[deps.tableName] ?? []) out.push(readJob(fromItem(item)));
      pending = res.UnprocessedKeys?.[deps.tableName]?.Keys ?? [];
      if (pending.length > 0) await sleep(50 * (round + 1));
    }
  }
  return out;
}

/**
 * BatchWriteItem of up to 25 requests per call, retrying what DynamoDB leaves unprocessed; once
 * `window` has closed, no request (nor retry) is sent and the one in flight is abandoned.
 */
async function batchWrite(
  deps: TableDeps,
  requests: WriteRequest[],
  window?: { closesAt: number; signal: AbortSignal },
): Promise<void> {
  const closed = (): boolean =>
    window !== undefined && (window.signal.aborted || Date.now() >= window.closesAt);
  for (const slice of chunk(requests, 25)) {
    let pending = slice;
    for (let round = 0; pending.length > 0; round++) {
      if (round >= MAX_UNPROCESSED_ROUNDS) throw new Error('writes left unprocessed by DynamoDB');
      if (closed()) throw new WindowClosed();
      let res;
      try {
        res = await deps.client.send(
          new BatchWriteItemCommand({ RequestItems: { [deps.tableName]: pending } }),
          window === undefined ? {} : { abortSignal: window.signal },
        );
      } catch (e) {
        if (closed()) throw new WindowClosed();
        throw e;
      }
      pending = res.UnprocessedItems?.[deps.tableName] ?? [];
      if (pending.length > 0) await sleep(50 * (round + 1));
    }
  }
}

/** When each lane's oldest queued job was queued (null: nothing queued), for the sweep's alarm. */
export async function oldestQueued(deps: TableDeps): Promise<(string | null)[]> {
  return Promise.all(
    LANES.map(async (lane) => {
      const res = await deps.client.send(
        new QueryCommand({
          TableName: deps.tableName,
          KeyConditionExpression: 'PK = :pk',
          ExpressionAttributeValues: toItem({ ':pk': changeQueuePartition(lane) }),
          ConsistentRead: true,
          Limit: 1,
          ProjectionExpression: 'SK',
        }),
      );
      const sk = res.Items?.[0]?.['SK']?.S;
      // The job's key starts with the ISO time it was queued.
      return sk === undefined ? null : sk.slice(0, sk.indexOf('#'));
    }),
  );
}
