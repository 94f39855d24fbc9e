import type { CreateTableCommandInput, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ApplyQueueOptions } from './apply-queue.ts';

// The table's shape, shared by the local stack (which creates it) and the CDK stack (which
// declares it), so the two cannot drift.

/** The table and the client that reaches it, passed to everything that reads or writes it. */
export interface TableDeps {
  client: DynamoDBClient;
  tableName: string;
  /** How writers wait for their lane's applier (apply-queue.ts has the defaults). */
  queue?: Partial<ApplyQueueOptions>;
}

export const PARTITION_KEY = 'PK';
export const SORT_KEY = 'SK';
export const GSI1 = { name: 'GSI1', partitionKey: 'GSI1PK', sortKey: 'GSI1SK' } as const;

/** CreateTable input for a table of this shape (on-demand billing). */
export function createTableInput(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [PARTITION_KEY, SORT_KEY, GSI1.partitionKey, GSI1.sortKey].map((n) => ({
      AttributeName: n,
      AttributeType: 'S',
    })),
    KeySchema: [
      { AttributeName: PARTITION_KEY, KeyType: 'HASH' },
      { AttributeName: SORT_KEY, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: GSI1.name,
        KeySchema: [
          { AttributeName: GSI1.partitionKey, KeyType: 'HASH' },
          { AttributeName: GSI1.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
  };
}
