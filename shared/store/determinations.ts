import {
  BatchWriteItemCommand,
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  type DynamoDBClient,
  type AttributeValue,
  type TransactWriteItem,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { z } from 'zod';
import { determinationSchema, type Determination } from '../determination.ts';
import { fromItem, toItem } from './attributes.ts';
import {
  counterDeltas,
  indexEntries,
  mergeDeltas,
  type CounterDelta,
  type IndexEntry,
} from './contribution.ts';
import { counterMarkerKey, determinationKey, recentKey } from './keys.ts';

// Writing a determination touches many items: its record, an index entry per item and dimension,
// and dozens of counters, more than one transaction may hold. The protocol (DATA-MODEL.md,
// "Writing a determination"):
// 1. claim: a conditional put of the record in state "pending", carrying the previous record it
//    replaces; the condition (absent, or the version that was read and complete) makes concurrent
//    writers of one case take turns;
// 2. complete: write the new index entries, delete the old ones, then apply the counter difference
//    in transactions of at most 98 updates, each with a marker item that makes a retried chunk a
//    no-op and a check that the record is still this pending claim;
// 3. mark the record complete and drop the markers.
// Whoever finds a pending record completes it first, so a writer that died half-way is finished by
// the next one (or by its own retry) and no counter is applied twice or lost.

export interface TableDeps {
  client: DynamoDBClient;
  tableName: string;
}

/** `superseded`: a newer upload of the same key is already stored; nothing was written. */
export type WriteOutcome = 'parsed' | 'duplicate' | 'replaced' | 'superseded';

const bytes = z.instanceof(Uint8Array);
const storedSchema = z.object({
  caseId: z.string(),
  state: z.enum(['pending', 'complete']),
  version: z.number().int().positive(),
  claim: z.string(),
  outcome: z.enum(['parsed', 'replaced', 'removed']),
  contentHash: z.string().nullable(),
  sourceKey: z.string().nullable(),
  sourceSequencer: z.string().nullable().default(null),
  record: bytes.optional(),
  previous: bytes.optional(),
  updatedAt: z.string(),
});

/** A determination as stored, with the bookkeeping the write protocol needs. */
export interface StoredDetermination {
  caseId: string;
  state: 'pending' | 'complete';
  version: number;
  /**
   * Unique to one claim. Versions restart at 1 after a removal, so the pending work (markers,
   * checks) is tied to this token instead: a writer holding an old claim can never match a new one.
   */
  claim: string;
  /** What the claim did, reported again to a retry that finds its own write. */
  outcome: 'parsed' | 'replaced' | 'removed';
  contentHash: string | null;
  /** The upload key the current record came from. Private: never served. */
  sourceKey: string | null;
  /** S3's event sequencer of that upload: an older event for the same key must not win. */
  sourceSequencer: string | null;
  /** null while a removal is pending. */
  record: Determination | null;
  previous: Determination | null;
}

// Records are stored compressed: a letter with many items and long rationales stays far below
// DynamoDB's 400 KB item limit even while its previous version rides along.
function encode(record: Determination): Uint8Array {
  return gzipSync(JSON.stringify(record));
}

/** A stored (gzipped) record back as a Determination, validated. */
export function decode(data: Uint8Array | undefined): Determination | null {
  if (data === undefined) return null;
  return determinationSchema.parse(JSON.parse(gunzipSync(data).toString('utf8')));
}

/** The stored determination of a case (read consistently), or null. */
export async function getStoredDetermination(
  deps: TableDeps,
  id: string,
): Promise<StoredDetermination | null> {
  const out = await deps.client.send(
    new GetItemCommand({
      TableName: deps.tableName,
      Key: toItem({ ...determinationKey(id) }),
      ConsistentRead: true,
    }),
  );
  if (out.Item === undefined) return null;
  const s = storedSchema.parse(fromItem(out.Item));
  return { ...s, record: decode(s.record), previous: decode(s.previous) };
}

export interface WriteRequestInput {
  id: string;
  record: Determination;
  contentHash: string;
  sourceKey: string;
  /** The S3 event sequencer of the upload (zero-padded, see s3-notification.ts). */
  sequencer: string;
  now: string;
}

// Writers that keep losing the claim to others are rare (one case uploaded many times at once);
// after this many rounds the error goes back to the queue, which retries later.
const MAX_CLAIM_ROUNDS = 8;

/** Stores a parsed determination; the same content again is a duplicate and changes nothing. */
export function putDetermination(deps: TableDeps, input: WriteRequestInput): Promise<WriteOutcome> {
  return rewrite(deps, input.id, input.now, (current) => {
    if (current !== null && current.contentHash === input.contentHash) {
      // The same upload again (a retry that finds its own completed write) keeps its outcome.
      const { outcome } = current;
      const own =
        current.sourceKey === input.sourceKey && current.sourceSequencer === input.sequencer;
      return { result: own && outcome !== 'removed' ? outcome : 'duplicate' };
    }
    // An event processed late, for a key whose newer upload is already stored: the content it
    // read is gone from the bucket, so it must not replace what is there. Checked against the
    // version read, which the claim's condition pins.
    if (
      current?.sourceKey === input.sourceKey &&
      current.sourceSequencer !== null &&
      current.sourceSequencer > input.sequencer
    ) {
      return { result: 'superseded' };
    }
    return {
      result: current === null ? 'parsed' : 'replaced',
      next: {
        caseId: input.id,
        state: 'pending',
        version: (current?.version ?? 0) + 1,
        claim: randomUUID(),
        outcome: current === null ? 'parsed' : 'replaced',
        contentHash: input.contentHash,
        sourceKey: input.sourceKey,
        sourceSequencer: input.sequencer,
        record: input.record,
        previous: current?.record ?? null,
      },
    };
  });
}

/**
 * Removes a determination and takes back its counters, if it is still the one `sourceKey`
 * produced with `contentHash` (another upload may have replaced it since).
 */
export function removeDetermination(
  deps: TableDeps,
  input: { id: string; sourceKey: string; contentHash: string; now: string },
): Promise<boolean> {
  return rewrite(deps, input.id, input.now, (current) => {
    if (current?.sourceKey !== input.sourceKey || current.contentHash !== input.contentHash) {
      return { result: false };
    }
    return {
      result: true,
      next: {
        ...current,
        state: 'pending',
        version: current.version + 1,
        claim: randomUUID(),
        outcome: 'removed',
        contentHash: null,
        record: null,
        previous: current.record,
      },
    };
  });
}

/**
 * The claim loop shared by writes and removals: read the case (completing a pending version
 * first), let `plan` decide from the complete version what to do, and claim the next version;
 * on losing the claim to another writer, read again.
 */
async function rewrite<T>(
  deps: TableDeps,
  id: string,
  now: string,
  plan: (current: StoredDetermination | null) => { result: T; next?: StoredDetermination },
): Promise<T> {
  for (let round = 0; round < MAX_CLAIM_ROUNDS; round++) {
    const current = await getStoredDetermination(deps, id);
    if (current?.state === 'pending') {
      await completePending(deps, current);
      continue;
    }
    const { result, next } = plan(current);
    if (next === undefined) return result;
    if (await claim(deps, current, next, now)) {
      await completePending(deps, next);
      return result;
    }
  }
  throw new Error(`case ${id} is being rewritten by other writers; try again later`);
}

function storedItem(next: StoredDetermination, now: string): Record<string, AttributeValue> {
  const decisionDate = next.record?.dates.decision ?? null;
  return toItem({
    ...determinationKey(next.caseId),
    // A pending removal leaves the recent list at once; a record joins it when claimed.
    ...(next.record === null ? {} : recentKey(next.caseId, decisionDate)),
    type: 'determination',
    caseId: next.caseId,
    state: next.state,
    version: next.version,
    claim: next.claim,
    outcome: next.outcome,
    contentHash: next.contentHash,
    sourceKey: next.sourceKey,
    sourceSequencer: next.sourceSequencer,
    decisionDate,
    record: next.record === null ? undefined : encode(next.record),
    previous: next.previous === null ? undefined : encode(next.previous),
    updatedAt: now,
  });
}

function entryItem(e: IndexEntry): Record<string, AttributeValue> {
  return toItem({ PK: e.PK, SK: e.SK, type: 'item', ...e.item });
}

/**
 * The items a determination leaves once written (its complete record and index entries), for
 * filling an empty table in bulk (benchmarks); counters come from `counterLoadRequests`.
 */
export function loadRequests(input: WriteRequestInput): WriteRequest[] {
  const stored: StoredDetermination = {
    caseId: input.id,
    state: 'complete',
    version: 1,
    claim: randomUUID(),
    outcome: 'parsed',
    contentHash: input.contentHash,
    sourceKey: input.sourceKey,
    sourceSequencer: input.sequencer,
    record: input.record,
    previous: null,
  };
  return [
    { PutRequest: { Item: storedItem(stored, input.now) } },
    ...indexEntries(input.id, input.record).map((e) => ({
      PutRequest: { Item: entryItem(e) },
    })),
  ];
}

/** Counters holding the summed deltas, for a bulk-filled table (see `loadRequests`). */
export function counterLoadRequests(deltas: readonly CounterDelta[]): WriteRequest[] {
  return mergeDeltas([...deltas]).map((d) => ({
    PutRequest: {
      Item: toItem({ PK: d.PK, SK: d.SK, upheld: d.upheld, overturned: d.overturned }),
    },
  }));
}

async function claim(
  deps: TableDeps,
  current: StoredDetermination | null,
  next: StoredDetermination,
  now: string,
): Promise<boolean> {
  try {
    await deps.client.send(
      new PutItemCommand({
        TableName: deps.tableName,
        Item: storedItem(next, now),
        ConditionExpression:
          current === null
            ? 'attribute_not_exists(PK)'
            : '#version = :version AND #state = :complete',
        ...(current === null
          ? {}
          : {
              ExpressionAttributeNames: { '#version': 'version', '#state': 'state' },
              ExpressionAttributeValues: toItem({
                ':version': current.version,
                ':complete': 'complete',
              }),
            }),
      }),
    );
    return true;
  } catch (e) {
    if (e instanceof ConditionalCheckFailedException) return false;
    throw e;
  }
}

/** Finishes a pending write or removal; safe to run any number of times, concurrently. */
export async function completePending(
  deps: TableDeps,
  pending: StoredDetermination,
): Promise<void> {
  const id = pending.caseId;
  const added = pending.record === null ? [] : indexEntries(id, pending.record);
  const removed = pending.previous === null ? [] : indexEntries(id, pending.previous);
  const keep = new Set(added.map((e) => `${e.PK}\u0000${e.SK}`));
  const deltas = mergeDeltas(
    pending.record === null ? [] : counterDeltas(id, pending.record, 1),
    pending.previous === null ? [] : counterDeltas(id, pending.previous, -1),
  );
  // Entries and counters go in the same guarded transactions: a writer that wakes up holding an
  // old claim can then change nothing at all, not even put back an old version's entries.
  const actions: TransactWriteItem[] = [
    ...added.map((e): TransactWriteItem => ({
      Put: {
        TableName: deps.tableName,
        Item: entryItem(e),
      },
    })),
    ...removed
      .filter((e) => !keep.has(`${e.PK}\u0000${e.SK}`))
      .map((e): TransactWriteItem => ({
        Delete: { TableName: deps.tableName, Key: toItem({ PK: e.PK, SK: e.SK }) },
      })),
    ...deltas.map((d): TransactWriteItem => ({
      Update: {
        TableName: deps.tableName,
        Key: toItem({ PK: d.PK, SK: d.SK }),
        UpdateExpression: 'ADD upheld :u, overturned :o',
        ExpressionAttributeValues: toItem({ ':u': d.upheld, ':o': d.overturned }),
      },
    })),
  ];
  const chunks = chunk(actions, ACTIONS_PER_TRANSACTION);
  for (let i = 0; i < chunks.length; i++) {
    const applied = await applyChunk(deps, pending, i, chunks[i]!);
    if (applied === 'superseded') return;
  }

  // The record turns complete and the markers go in one transaction, so no crash can leave
  // markers behind. Markers only matter while the version is pending: once it is complete, the
  // check in each chunk stops a late writer.
  const check = {
    ConditionExpression: '#claim = :claim AND #state = :pending',
    ExpressionAttributeNames: { '#claim': 'claim', '#state': 'state' },
  };
  const values = { ':claim': pending.claim, ':pending': 'pending' };
  const finish: TransactWriteItem =
    pending.record === null
      ? {
          Delete: {
            TableName: deps.tableName,
            Key: toItem({ ...determinationKey(id) }),
            ...check,
            ExpressionAttributeValues: toItem(values),
          },
        }
      : {
          Update: {
            TableName: deps.tableName,
            Key: toItem({ ...determinationKey(id) }),
            UpdateExpression: 'SET #state = :complete REMOVE previous',
            ...check,
            ExpressionAttributeValues: toItem({ ...values, ':complete': 'complete' }),
          },
        };
  // Another writer completing this version first fails the check: nothing is left to do.
  await transact(deps, [
    finish,
    ...chunks.map((_, i): TransactWriteItem => ({
      Delete: {
        TableName: deps.tableName,
        Key: toItem({ ...counterMarkerKey(id, pending.claim, i) }),
      },
    })),
  ]);
}

/**
 * Runs a transaction, retrying conflicts with other transactions; resolves to the cancellation
 * codes when a condition failed (index = position in `items`), or null when it committed.
 */
async function transact(deps: TableDeps, items: TransactWriteItem[]): Promise<string[] | null> {
  for (let attempt = 0; ; attempt++) {
    try {
      await deps.client.send(new TransactWriteItemsCommand({ TransactItems: items }));
      return null;
    } catch (e) {
      if (!(e instanceof TransactionCanceledException)) throw e;
      const codes = (e.CancellationReasons ?? []).map((r) => r.Code ?? 'None');
      if (codes.includes('ConditionalCheckFailed')) return codes;
      // Two letters updating the same counter at once conflict; one of them waits and retries.
      if (attempt >= MAX_CONFLICT_RETRIES) throw e;
      await sleep(jitter(attempt));
    }
  }
}

// A transaction holds at most 100 actions: the record check and the marker leave 98.
const ACTIONS_PER_TRANSACTION = 98;
const MAX_CONFLICT_RETRIES = 10;

async function applyChunk(
  deps: TableDeps,
  pending: StoredDetermination,
  index: number,
  actions: TransactWriteItem[],
): Promise<'applied' | 'already' | 'superseded'> {
  const items: TransactWriteItem[] = [
    {
      ConditionCheck: {
        TableName: deps.tableName,
        Key: toItem({ ...determinationKey(pending.caseId) }),
        ConditionExpression: '#claim = :claim AND #state = :pending',
        ExpressionAttributeNames: { '#claim': 'claim', '#state': 'state' },
        ExpressionAttributeValues: toItem({ ':claim': pending.claim, ':pending': 'pending' }),
      },
    },
    {
      Put: {
        TableName: deps.tableName,
        Item: toItem({
          ...counterMarkerKey(pending.caseId, pending.claim, index),
          type: 'marker',
        }),
        ConditionExpression: 'attribute_not_exists(PK)',
      },
    },
    ...actions,
  ];
  const codes = await transact(deps, items);
  if (codes === null) return 'applied';
  if (codes[0] === 'ConditionalCheckFailed') return 'superseded';
  return 'already';
}

const BATCH_WRITE_LIMIT = 25;

/** Writes all requests in batches of 25, resending what DynamoDB leaves unprocessed. */
export async function batchWrite(deps: TableDeps, requests: WriteRequest[]): Promise<void> {
  for (const batch of chunk(requests, BATCH_WRITE_LIMIT)) {
    let pending: WriteRequest[] = batch;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 0) await sleep(jitter(attempt));
      const out = await deps.client.send(
        new BatchWriteItemCommand({ RequestItems: { [deps.tableName]: pending } }),
      );
      pending = out.UnprocessedItems?.[deps.tableName] ?? [];
      if (attempt > 20 && pending.length > 0) {
        throw new Error(`DynamoDB left ${pending.length} writes unprocessed after 20 retries`);
      }
    }
  }
}

function chunk<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

function jitter(attempt: number): number {
  return Math.random() * Math.min(1000, 20 * 2 ** attempt);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
