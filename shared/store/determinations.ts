import {
  ConditionalCheckFailedException,
  PutItemCommand,
  QueryCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  type TransactWriteItem,
} from '@aws-sdk/client-dynamodb';
import { setTimeout as sleep } from 'node:timers/promises';
import { backoffMs } from '../concurrency.ts';
import { randomUUID } from 'node:crypto';
import type { Determination } from '../record/index.ts';
import { fromItem, toItem } from './attributes.ts';
import { encode, MAX_RECORD_BYTES, RecordTooLargeError } from './record-codec.ts';
import { counterDeltas, indexEntries, mergeDeltas } from './contribution.ts';
import {
  casePartition,
  determinationKey,
  heldCopyKey,
  legacyMarkerPrefix,
  statsShard,
} from './keys.ts';
import {
  applyQueued,
  changeJobPut,
  encodeChanges,
  MAX_JOB_BYTES,
  type Changes,
} from './apply-queue.ts';
import {
  getStoredDetermination,
  storedItem,
  type StoredDetermination,
} from './stored-determination.ts';
import type { TableDeps } from './table.ts';
import {
  caseConflicts,
  dropHeld,
  getConflict,
  holdCopy,
  listHeld,
  resortHeld,
  samePublishedRecord,
  sameStoredRecord,
  type HeldCopy,
} from './provenance.ts';

// Writes a determination in three steps (claim, complete, finish) so that a writer that dies
// half-way is finished by the next and no counter moves twice: docs/DATA-MODEL.md, "Writing a
// determination".

/**
 * `superseded`: a newer upload of the same key is already stored; nothing was written.
 * `duplicate`: the published record already says this (from this organisation or another).
 * `conflict`: another organisation owns the case and published different content.
 */
export type WriteOutcome = 'parsed' | 'duplicate' | 'replaced' | 'conflict' | 'superseded';

export interface WriteRequestInput {
  id: string;
  record: Determination;
  contentHash: string;
  /** The uploading organisation (from the key's folder). */
  organisation: string;
  sourceKey: string;
  /** The S3 event sequencer of the upload (zero-padded, see s3-notification.ts). */
  sequencer: string;
  now: string;
}

// Writers that keep losing the claim to others are rare (one case uploaded many times at once);
// after this many rounds the error goes back to the queue, which retries later.
const MAX_CLAIM_ROUNDS = 8;

// DynamoDB's limits (developer guide, "Quotas"): a partition key of at most 2,048 bytes, a sort
// key of at most 1,024, an item of at most 400 KB, a transaction of at most 100 actions and 4 MB.
const MAX_PK_BYTES = 2048;
const MAX_SK_BYTES = 1024;
/** An index entry carries its item's summary: held far under 400 KB. */
const MAX_ENTRY_BYTES = 32 * 1024;
/** Index entries and counters of one record: a job is then a few seconds' writes (apply-queue.ts). */
export const MAX_WRITES_PER_RECORD = 48 * 98;

/**
 * Throws RecordTooLargeError unless every write the record leads to fits DynamoDB's limits:
 * checked before the claim, so an oversized letter is a recorded failure and never a pending
 * record that every later writer would fail to complete.
 */
export function assertStorable(id: string, record: Determination): void {
  const recordBytes = encode(record).length;
  if (recordBytes > MAX_RECORD_BYTES) {
    throw new RecordTooLargeError(
      `${Math.ceil(recordBytes / 1024)} KB compressed, more than the ${MAX_RECORD_BYTES / 1024} KB stored`,
    );
  }
  const byteLength = (text: string): number => Buffer.byteLength(text, 'utf8');
  const tooLong = (key: { PK: string; SK: string }): boolean =>
    byteLength(key.PK) > MAX_PK_BYTES || byteLength(key.SK) > MAX_SK_BYTES;
  const entries = indexEntries(id, record);
  const deltas = counterDeltas(id, record);
  // A replacement's job writes this record's entries and counters and takes back the previous
  // one's (held to the same bound), all in one batch within its window.
  if (entries.length + deltas.length > MAX_WRITES_PER_RECORD) {
    throw new RecordTooLargeError(
      `${entries.length + deltas.length} index entries and counters, more than the ${MAX_WRITES_PER_RECORD} a letter may have`,
    );
  }
  for (const e of entries) {
    if (tooLong(e))
      throw new RecordTooLargeError(
        `a word or value of ${e.item.request.slice(0, 40)}... is too long to index`,
      );
    if (byteLength(JSON.stringify(e)) > MAX_ENTRY_BYTES) {
      throw new RecordTooLargeError(`item ${e.item.ordinal}'s request is too long to index`);
    }
  }
  for (const d of deltas) {
    if (tooLong(d))
      throw new RecordTooLargeError('a cited guideline or other value is too long to count');
  }
  // A replacement's job holds this record's counters and the previous one's: each held to half.
  const jobBytes = encodeChanges({ deltas, drop: entries }).length;
  if (jobBytes > MAX_JOB_BYTES / 2) {
    throw new RecordTooLargeError(
      `its counters take ${Math.ceil(jobBytes / 1024)} KB compressed, more than the ${MAX_JOB_BYTES / 2048} KB a letter may queue`,
    );
  }
}

/**
 * Stores a parsed determination, honouring provenance: the case belongs to the organisation whose
 * upload first produced it. The same content again is a duplicate; the owner's different content
 * replaces the record; any other organisation's copy is held beside the record, as a duplicate
 * when its parsed fields are equal and as a conflict otherwise, and changes nothing public.
 */
export async function putDetermination(
  deps: TableDeps,
  input: WriteRequestInput,
): Promise<WriteOutcome> {
  return afterCounters(deps, input.id, await writeDetermination(deps, input));
}

/**
 * Applies the counters queued in a case's lane (this write's, and any a crashed writer left)
 * before a write returns, so that statistics include a letter once its write is done; when
 * another applier holds the lane past the wait, the job stays queued for it.
 */
/** How long a writer goes on starting batches of its lane after its own write. */
export const WRITER_APPLY_MS = 5_000;

async function afterCounters<T>(deps: TableDeps, id: string, result: T): Promise<T> {
  try {
    // A writer starts batches for a few seconds at most: more is left to the next writer or the
    // sweep, so one letter's ingest time stays bounded.
    await applyQueued(deps, statsShard(id), Date.now() + WRITER_APPLY_MS);
  } catch {
    // The write is done and its job queued: a failure to apply the lane (other letters' jobs
    // too) is not this write's. The next writer of the lane or the minute's sweep applies it,
    // and the sweep's failures raise its alarm.
  }
  return result;
}

async function writeDetermination(
  deps: TableDeps,
  input: WriteRequestInput,
): Promise<WriteOutcome> {
  assertStorable(input.id, input.record);
  for (let round = 0; round < MAX_CLAIM_ROUNDS; round++) {
    const seen: { current: StoredDetermination | null } = { current: null };
    const outcome = await rewrite<WriteOutcome>(deps, input.id, input.now, (current) => {
      seen.current = current;
      if (current !== null && current.contentHash === input.contentHash) {
        // The same upload again (a retry that finds its own completed write) keeps its outcome.
        const own =
          current.sourceKey === input.sourceKey && current.sourceSequencer === input.sequencer;
        if (own) return { result: current.outcome !== 'removed' ? current.outcome : 'duplicate' };
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
      if (current !== null && current.record !== null) {
        // The upload the record came from, read again (`imr reparse` after a parser change, or a
        // corrected letter under the same key): any difference replaces the record, the prose
        // too, where other uploads are compared by their coded fields alone.
        const reread =
          current.owner === input.organisation &&
          current.sourceKey === input.sourceKey &&
          !sameStoredRecord(current.record, input.record);
        if (!reread && samePublishedRecord(current.record, input.record)) {
          return { result: 'duplicate' };
        }
        if (current.owner !== input.organisation) return { result: 'conflict' };
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
          owner: input.organisation,
          sourceKey: input.sourceKey,
          sourceSequencer: input.sequencer,
          record: input.record,
          previous: current?.record ?? null,
          previousSource: null,
        },
      };
    });
    if (outcome === false) throw new Error('a write claims without a held copy to check');
    const decided = seen.current;
    if ((outcome !== 'duplicate' && outcome !== 'conflict') || decided === null) return outcome;
    // Another upload of a published case: held beside it. The copy was sorted against the
    // version read; if the record changed before the copy was written, the change's own sorting
    // may have missed it, so decide again (a removal meanwhile may make this upload the record).
    if (decided.sourceKey === input.sourceKey && decided.contentHash === input.contentHash) {
      return outcome;
    }
    await holdCopy(deps, input, decided.record);
    const now = await getStoredDetermination(deps, input.id);
    if (now?.claim === decided.claim && now.state === 'complete') return outcome;
  }
  throw new Error(`case ${input.id} keeps changing while an upload of it is held; try again later`);
}

/**
 * Removes a determination, if it is still the one `sourceKey` produced with `contentHash`
 * (another upload may have replaced it since). When other uploads corroborate it, the case stays
 * published and passes to the oldest of them instead.
 */
export async function removeDetermination(
  deps: TableDeps,
  input: { id: string; sourceKey: string; contentHash: string; now: string },
): Promise<boolean> {
  const removed = await rewrite(deps, input.id, input.now, (current, held) => {
    if (current?.sourceKey !== input.sourceKey || current.contentHash !== input.contentHash) {
      return { result: false };
    }
    const base = {
      ...current,
      state: 'pending' as const,
      version: current.version + 1,
      claim: randomUUID(),
      previous: current.record,
      previousSource: null,
    };
    const heir = held.find((h) => h.kind === 'corroboration');
    return {
      result: true,
      next:
        heir === undefined
          ? { ...base, outcome: 'removed', contentHash: null, record: null }
          : {
              ...base,
              outcome: 'replaced',
              owner: heir.organisation,
              contentHash: heir.contentHash,
              sourceKey: heir.sourceKey,
              sourceSequencer: heir.sequencer,
              record: heir.record,
            },
    };
  });
  return afterCounters(deps, input.id, removed);
}

/** How an operator settled a case's conflicts (`imr conflicts resolve`). */
export type Settlement =
  | { kind: 'accepted'; organisation: string; previousOwner: string | null }
  | { kind: 'already'; organisation: string }
  | { kind: 'kept'; dropped: number; changed: number }
  | { kind: 'no-conflict' };

/**
 * Settles a case for `organisation`: its latest conflicting copy becomes the published record and
 * it the owner, provided that copy is still held as listed (the claim checks it in the same
 * transaction). The copy it replaces is held aside in turn, and every held copy is sorted again,
 * when the change completes (so a crash half-way is finished by the next reader).
 */
export async function acceptConflict(
  deps: TableDeps,
  id: string,
  organisation: string,
  now: string,
): Promise<Settlement> {
  const conflict = await getConflict(deps, id, organisation);
  if (conflict === null) {
    const current = await getStoredDetermination(deps, id);
    if (current?.state === 'pending') await completePending(deps, current, now);
    await applyQueued(deps, statsShard(id));
    return current?.owner === organisation && current.record !== null
      ? { kind: 'already', organisation }
      : { kind: 'no-conflict' };
  }
  const settled = await rewrite<Settlement>(
    deps,
    id,
    now,
    (current) => {
      // A settlement run again after a crash finds its own work done.
      if (current?.owner === organisation && current.contentHash === conflict.contentHash) {
        return { result: { kind: 'already', organisation } };
      }
      return {
        result: { kind: 'accepted', organisation, previousOwner: current?.owner ?? null },
        next: {
          caseId: id,
          state: 'pending',
          version: (current?.version ?? 0) + 1,
          claim: randomUUID(),
          outcome: current === null ? 'parsed' : 'replaced',
          contentHash: conflict.contentHash,
          owner: organisation,
          sourceKey: conflict.sourceKey,
          sourceSequencer: conflict.sequencer,
          record: conflict.record,
          previous: current?.record ?? null,
          previousSource:
            current?.record != null && current.sourceKey !== null && current.contentHash !== null
              ? {
                  owner: current.owner,
                  sourceKey: current.sourceKey,
                  contentHash: current.contentHash,
                  sequencer: current.sourceSequencer ?? '',
                }
              : null,
        },
      };
    },
    conflict,
  );
  return afterCounters(deps, id, settled === false ? { kind: 'no-conflict' } : settled);
}

/**
 * Settles a case's conflicts by keeping the published record: the conflicting copies listed are
 * dropped, each only if its upload still holds the content that was listed.
 */
export async function keepPublished(deps: TableDeps, id: string): Promise<Settlement> {
  const listed = await caseConflicts(deps, id);
  if (listed.length === 0) return { kind: 'no-conflict' };
  let dropped = 0;
  for (const c of listed) if (await dropHeld(deps, c)) dropped++;
  // A copy re-uploaded under the same key meanwhile stays open: no one has reviewed it yet.
  return { kind: 'kept', dropped, changed: listed.length - dropped };
}

/**
 * The claim loop shared by writes, removals and settlements: read the case (completing a pending
 * version first), let `plan` decide from the complete version (and the copies held beside it)
 * what to do, and claim the next version; on losing the claim to another writer, read again.
 * With `requireHeld`, the claim also requires that held copy to be unchanged, and resolves to
 * false when it is gone.
 */
async function rewrite<T>(
  deps: TableDeps,
  id: string,
  now: string,
  plan: (
    current: StoredDetermination | null,
    held: readonly HeldCopy[],
  ) => { result: T; next?: StoredDetermination },
  requireHeld?: HeldCopy,
): Promise<T | false> {
  for (let round = 0; round < MAX_CLAIM_ROUNDS; round++) {
    const current = await getStoredDetermination(deps, id);
    if (current?.state === 'pending') {
      await completePending(deps, current, now);
      continue;
    }
    // Only a removal asks who else holds the case (plan's second argument); a write never does.
    const { result, next } = plan(current, plan.length > 1 ? await listHeld(deps, id) : []);
    if (next === undefined) return result;
    assertQueueable(next);
    const outcome = await claim(deps, current, next, now, requireHeld);
    if (outcome === 'claimed') {
      await completePending(deps, next, now);
      return result;
    }
    if (outcome === 'held-changed') return false;
  }
  throw new Error(`case ${id} is being rewritten by other writers; try again later`);
}

async function claim(
  deps: TableDeps,
  current: StoredDetermination | null,
  next: StoredDetermination,
  now: string,
  requireHeld?: HeldCopy,
): Promise<'claimed' | 'lost' | 'held-changed'> {
  const put = {
    TableName: deps.tableName,
    Item: storedItem(next, now),
    ConditionExpression:
      current === null ? 'attribute_not_exists(PK)' : '#version = :version AND #state = :complete',
    ...(current === null
      ? {}
      : {
          ExpressionAttributeNames: { '#version': 'version', '#state': 'state' },
          ExpressionAttributeValues: toItem({
            ':version': current.version,
            ':complete': 'complete',
          }),
        }),
  };
  if (requireHeld === undefined) {
    try {
      await deps.client.send(new PutItemCommand(put));
      return 'claimed';
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) return 'lost';
      throw e;
    }
  }
  // An operator's settlement publishes a held copy only while its upload still holds it.
  const codes = await transact(deps, [
    { Put: put },
    {
      ConditionCheck: {
        TableName: deps.tableName,
        Key: toItem({
          ...heldCopyKey(requireHeld.caseId, requireHeld.organisation, requireHeld.sourceKey),
        }),
        ConditionExpression: 'contentHash = :hash',
        ExpressionAttributeValues: toItem({ ':hash': requireHeld.contentHash }),
      },
    },
  ]);
  if (codes === null) return 'claimed';
  return codes[1] === 'ConditionalCheckFailed' ? 'held-changed' : 'lost';
}

/** Finishes a pending write or removal; safe to run any number of times, concurrently. */
export async function completePending(
  deps: TableDeps,
  pending: StoredDetermination,
  now: string,
): Promise<void> {
  const id = pending.caseId;
  const legacy = await legacyMarkers(deps, pending);
  const { changes, weight } = versionChanges(pending, legacy);
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
            UpdateExpression: 'SET #state = :complete REMOVE previous, previousSource',
            ...check,
            ExpressionAttributeValues: toItem({ ...values, ':complete': 'complete' }),
          },
        };
  await sortHeldCopies(deps, pending, now);

  // The record turns complete and its index entries and counters are queued in one
  // transaction: another writer completing this version first fails the check, so the job is
  // queued exactly once, and a writer that wakes up holding an old claim queues nothing.
  await transact(deps, [
    finish,
    ...legacy.map((sk): TransactWriteItem => ({
      Delete: { TableName: deps.tableName, Key: toItem({ PK: casePartition(id), SK: sk }) },
    })),
    changeJobPut(deps.tableName, {
      lane: statsShard(id),
      id,
      claim: pending.claim,
      queuedAt: now,
      changes,
      weight,
    }),
  ]);
}

/**
 * What a version changes besides its record: counters (new minus previous) and entries dropped.
 * Less what a version claimed by the previous release already applied: that release wrote its
 * entries and counters in transactions of 98 actions (puts, deletes, then counter updates), each
 * marked `OP#<claim>#<chunk>`; the counters of a marked chunk are counted already.
 */
function versionChanges(
  pending: StoredDetermination,
  legacy: readonly string[],
): { changes: Changes; weight: number } {
  const id = pending.caseId;
  const added = pending.record === null ? [] : indexEntries(id, pending.record);
  const kept = new Set(added.map((e) => `${e.PK}\u0000${e.SK}`));
  const drop = (pending.previous === null ? [] : indexEntries(id, pending.previous))
    .filter((e) => !kept.has(`${e.PK}\u0000${e.SK}`))
    .map((e) => ({ PK: e.PK, SK: e.SK }));
  const deltas = mergeDeltas(
    pending.record === null ? [] : counterDeltas(id, pending.record, 1),
    pending.previous === null ? [] : counterDeltas(id, pending.previous, -1),
  );
  const done = new Set(legacy.map((sk) => Number(sk.slice(sk.lastIndexOf('#') + 1))));
  const entryActions = added.length + drop.length;
  const counted = deltas.filter((_, i) => done.has(Math.floor((entryActions + i) / 98)));
  const changes = {
    deltas: mergeDeltas(
      deltas,
      counted.map((d) => ({ ...d, upheld: -d.upheld, overturned: -d.overturned })),
    ),
    drop,
  };
  // The writes the job leads to: its counters, the entries it drops and its record's.
  return { changes, weight: changes.deltas.length + drop.length + added.length };
}

/**
 * Throws RecordTooLargeError, before the claim, when the version's job would not fit one item:
 * each record is held to half of it (assertStorable), but a record stored by an earlier release
 * was not, and a version that cannot queue its job could never complete.
 */
function assertQueueable(next: StoredDetermination): void {
  const bytes = encodeChanges(versionChanges(next, []).changes).length;
  if (bytes > MAX_JOB_BYTES) {
    throw new RecordTooLargeError(
      `its changes to index entries and counters take ${Math.ceil(bytes / 1024)} KB compressed, more than the ${MAX_JOB_BYTES / 1024} KB one job holds`,
    );
  }
}

/** The chunk markers of a version claimed by the previous release (none for this release's). */
async function legacyMarkers(deps: TableDeps, pending: StoredDetermination): Promise<string[]> {
  const prefix = legacyMarkerPrefix(pending.claim);
  const res = await deps.client.send(
    new QueryCommand({
      TableName: deps.tableName,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: toItem({
        ':pk': casePartition(pending.caseId),
        ':prefix': prefix,
      }),
      ConsistentRead: true,
    }),
  );
  return (res.Items ?? []).map((i) => String(fromItem(i)['SK']));
}

/**
 * After the record changed, the copies held beside it are sorted against what is now published;
 * a settlement first holds the upload the replaced record came from. Done before the version is
 * marked complete, so a crash here is finished by the next reader.
 */
async function sortHeldCopies(
  deps: TableDeps,
  pending: StoredDetermination,
  now: string,
): Promise<void> {
  const id = pending.caseId;
  const before = await getStoredDetermination(deps, id);
  // Only the claim that is still pending sorts: a writer that woke up late changes nothing.
  if (before?.claim !== pending.claim || before.state !== 'pending') return;
  const from = pending.previousSource;
  if (from !== null && pending.previous !== null) {
    await holdCopy(
      deps,
      { id, ...from, organisation: from.owner, record: pending.previous, now },
      pending.record,
    );
  }
  await resortHeld(
    deps,
    id,
    pending.record,
    pending.record === null ? null : { owner: pending.owner, sourceKey: pending.sourceKey },
    now,
  );
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
      // Two writers of one case's held copies at once conflict; one of them waits and retries.
      if (attempt >= MAX_CONFLICT_RETRIES) throw e;
      await sleep(backoffMs(attempt));
    }
  }
}

const MAX_CONFLICT_RETRIES = 10;
