import { BatchWriteItemCommand, type WriteRequest } from '@aws-sdk/client-dynamodb';
import { setTimeout as sleep } from 'node:timers/promises';
import { backoffMs, chunk } from '../shared/concurrency.ts';
import { randomUUID } from 'node:crypto';
import {
  toItem,
  indexEntries,
  mergeDeltas,
  type CounterDelta,
  type WriteRequestInput,
  entryItem,
  storedItem,
  type StoredDetermination,
  type TableDeps,
} from '../shared/store/index.ts';

// Filling an empty table in bulk with what the ingest would leave (benchmarks and paging tests):
// the items written directly with BatchWriteItem, without the ingest's claim protocol.

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
    owner: input.organisation,
    sourceKey: input.sourceKey,
    sourceSequencer: input.sequencer,
    record: input.record,
    previous: null,
    previousSource: null,
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

const BATCH_WRITE_LIMIT = 25;

/** Writes all requests in batches of 25, resending what DynamoDB leaves unprocessed. */
export async function batchWrite(deps: TableDeps, requests: WriteRequest[]): Promise<void> {
  for (const batch of chunk(requests, BATCH_WRITE_LIMIT)) {
    let pending: WriteRequest[] = batch;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 0) await sleep(backoffMs(attempt));
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
