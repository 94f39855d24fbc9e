import {
  GetItemCommand,
  type AttributeValue,
  type ConsumedCapacity,
  type DynamoDBClient,
  type TransactWriteItem,
} from '@aws-sdk/client-dynamodb';
import { GSI1 } from '../shared/store/index.ts';
import { itemBytes, writeUnits } from './capacity.ts';

// Write units of every write sent through a client. Single writes ask DynamoDB for their
// consumed capacity (ReturnConsumedCapacity INDEXES: table and GSI1) and sum its answers.
// DynamoDB Local answers every TransactWriteItems with 2 units whatever it holds (measured: 1,
// 10 and 50 counter updates alike), where AWS bills 2 units per KB of each item written plus the
// index copies; so a transaction's units are computed from its items by AWS's rules instead:
// each action 2 × the KB of the larger of the item before (read consistently first) and after,
// and 1 × KB for the GSI1 copy of an item carrying GSI1 keys. A ConditionCheck is billed as a
// transactional write of the item checked.

const SINGLE_WRITES = new Set([
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'BatchWriteItemCommand',
]);

export interface WriteUnits {
  /** Write units consumed since the start (or the last reset), per command name. */
  readonly byCommand: Map<string, number>;
  total(): number;
  reset(): void;
}

function reported(c: ConsumedCapacity | ConsumedCapacity[] | undefined): number {
  if (c === undefined) return 0;
  const list = Array.isArray(c) ? c : [c];
  return list.reduce((n, x) => n + (x.CapacityUnits ?? x.WriteCapacityUnits ?? 0), 0);
}

/** Counts the write units of every write sent through `client` from now on. */
export function countWriteUnits(client: DynamoDBClient): WriteUnits {
  const byCommand = new Map<string, number>();
  const add = (name: string, units: number): void => {
    byCommand.set(name, (byCommand.get(name) ?? 0) + units);
  };
  const stored = async (
    tableName: string,
    key: Record<string, AttributeValue>,
  ): Promise<Record<string, AttributeValue> | undefined> =>
    (
      await client.send(
        new GetItemCommand({ TableName: tableName, Key: key, ConsistentRead: true }),
      )
    ).Item;
  const actionUnits = async (a: TransactWriteItem): Promise<number> => {
    const target = a.Put ?? a.Update ?? a.Delete ?? a.ConditionCheck;
    if (target === undefined) return 0;
    const key =
      a.Put !== undefined
        ? { PK: a.Put.Item!['PK']!, SK: a.Put.Item!['SK']! }
        : (target as { Key: Record<string, AttributeValue> }).Key;
    const before = await stored(target.TableName!, key);
    const beforeBytes = before === undefined ? 0 : itemBytes(before);
    // An update's result is not known before it runs; counters and the record's finish (which
    // drops `previous`) do not grow, so the item as it stands bounds it.
    const afterBytes = a.Put !== undefined ? itemBytes(a.Put.Item!) : beforeBytes;
    const bytes = Math.max(beforeBytes, afterBytes, 1);
    const indexed =
      (a.Put?.Item ?? before)?.[GSI1.partitionKey] !== undefined && a.ConditionCheck === undefined;
    return writeUnits(bytes, true) + (indexed ? writeUnits(bytes, false) : 0);
  };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = context.commandName ?? '';
      if (name === 'TransactWriteItemsCommand') {
        const items = (args.input as { TransactItems?: TransactWriteItem[] }).TransactItems ?? [];
        const units = (await Promise.all(items.map(actionUnits))).reduce((a, b) => a + b, 0);
        const result = await next(args);
        add(name, units);
        return result;
      }
      if (!SINGLE_WRITES.has(name)) return next(args);
      const input = args.input as { ReturnConsumedCapacity?: string };
      input.ReturnConsumedCapacity ??= 'INDEXES';
      const result = await next(args);
      const output = result.output as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] };
      add(name, reported(output.ConsumedCapacity));
      return result;
    },
    { step: 'initialize', name: 'countWriteUnits' },
  );
  return {
    byCommand,
    total: () => [...byCommand.values()].reduce((a, b) => a + b, 0),
    reset: () => byCommand.clear(),
  };
}
