import { UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { toItem, type Plain } from '../../shared/store/attributes.ts';
import { laneLedgerKey, statsShard } from '../../shared/store/keys.ts';

// A lane's ledger set by hand, as another applier (alive, dead or slow) would leave it, for the
// tests of shared/store/apply-queue.ts.

interface Table {
  dynamodb: DynamoDBClient;
  tableName: string;
}

export async function setLedger(
  table: Table,
  lane: number,
  update: string,
  values?: Record<string, Plain>,
): Promise<void> {
  await table.dynamodb.send(
    new UpdateItemCommand({
      TableName: table.tableName,
      Key: toItem({ ...laneLedgerKey(lane) }),
      UpdateExpression: update,
      ...(values === undefined ? {} : { ExpressionAttributeValues: toItem(values) }),
    }),
  );
}

/**
 * Holds a lane as if another applier were in the middle of a batch (of jobs that do not exist).
 * The ledger's batch number is kept: it only ever grows (counters skip batches they have seen).
 */
export const holdLane = (table: Table, lane: number): Promise<void> =>
  setLedger(table, lane, 'SET seq = if_not_exists(seq, :zero), applying = :keys, since = :now', {
    ':zero': 0,
    ':keys': ['no-such-job'],
    ':now': Date.now(),
  });

/** The other applier finishes its batch. */
export const releaseLane = (table: Table, lane: number): Promise<void> =>
  setLedger(table, lane, 'REMOVE applying, since');

/** The batch under way was taken `ms` earlier than it was (31 s: stale, its applier dead). */
export const ageBatch = (table: Table, lane: number, ms: number): Promise<void> =>
  setLedger(table, lane, 'SET since = since - :d', { ':d': ms });

/** Fresh case numbers whose counters fall in `lane`; each file its own prefix, so none repeat. */
export function casesInLane(prefix: string, lane: number): () => string {
  let next = 0;
  return () => {
    for (;;) {
      const id = `${prefix}-${String(next++).padStart(7, '0')}`;
      if (statsShard(id) === lane) return id;
    }
  };
}
