// Watching what the ingest does without changing it: middleware on the SDK clients the local
// stack hands to the ingest handler. Counts DynamoDB calls, the capacity DynamoDB Local reports
// for them, transaction conflicts; and tells when a status record or a receipt has been written.
import {
  TransactionCanceledException,
  type ConsumedCapacity,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';

/** Totals since the last `reset()`. */
export interface DynamoCounts {
  calls: Map<string, number>;
  /** Capacity units DynamoDB Local reported (table and GSI) for writes, and for reads. */
  writeUnits: number;
  readUnits: number;
  /** TransactWriteItems cancelled because another transaction held one of its items. */
  conflicts: number;
  /** Requests refused for throughput (never on DynamoDB Local; counted to be sure). */
  throttled: number;
}

const WRITES = new Set([
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'BatchWriteItemCommand',
  'TransactWriteItemsCommand',
]);
const READS = new Set(['GetItemCommand', 'BatchGetItemCommand', 'QueryCommand']);

function capacityOf(out: unknown): number {
  const c = (out as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] }).ConsumedCapacity;
  const list = c === undefined ? [] : Array.isArray(c) ? c : [c];
  return list.reduce((n, x) => n + (x.CapacityUnits ?? 0), 0);
}

/**
 * Adds the middleware to a DynamoDB client; `onStatus(key, ms)` is called when a status record
 * for upload `key` has been put (performance.now() time).
 */
export function instrumentDynamo(
  client: DynamoDBClient,
  onStatus?: (key: string, at: number) => void,
): { counts: DynamoCounts; reset(): void } {
  const counts: DynamoCounts = {
    calls: new Map(),
    writeUnits: 0,
    readUnits: 0,
    conflicts: 0,
    throttled: 0,
  };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = context.commandName ?? '?';
      const input = args.input as { ReturnConsumedCapacity?: string; Item?: unknown };
      if (WRITES.has(name) || READS.has(name)) input.ReturnConsumedCapacity = 'TOTAL';
      counts.calls.set(name, (counts.calls.get(name) ?? 0) + 1);
      try {
        const result = await next(args);
        const units = capacityOf(result.output);
        if (WRITES.has(name)) counts.writeUnits += units;
        else counts.readUnits += units;
        const pk = (input.Item as { PK?: { S?: string } } | undefined)?.PK?.S;
        if (name === 'PutItemCommand' && pk?.startsWith('UPLOAD#')) {
          onStatus?.(pk.slice('UPLOAD#'.length), performance.now());
        }
        return result;
      } catch (e) {
        if (
          e instanceof TransactionCanceledException &&
          (e.CancellationReasons ?? []).some((r) => r.Code === 'TransactionConflict')
        ) {
          counts.conflicts++;
        }
        if (e instanceof Error && /Throughput|Throttl/.test(e.name)) counts.throttled++;
        throw e;
      }
    },
    { step: 'initialize', name: 'benchInstrument' },
  );
  return {
    counts,
    reset() {
      counts.calls.clear();
      counts.writeUnits = counts.readUnits = counts.conflicts = counts.throttled = 0;
    },
  };
}

/** Calls `onPut(key, ms)` when an object has been put through this S3 client. */
export function instrumentS3(client: S3Client, onPut: (key: string, at: number) => void): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const key = (args.input as { Key?: string }).Key;
      if (context.commandName === 'PutObjectCommand' && key !== undefined) {
        onPut(key, performance.now());
      }
      return result;
    },
    { step: 'initialize', name: 'benchInstrument' },
  );
}
