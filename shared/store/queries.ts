import {
  BatchGetItemCommand,
  GetItemCommand,
  QueryCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { z } from 'zod';
import { decisionSchema, type Determination } from '../record/index.ts';
import { categorySchema } from '../taxonomy/index.ts';
import { fromItem, toItem } from './attributes.ts';
import type { ItemSummary } from './contribution.ts';
import type { TableDeps } from './table.ts';
import { decode } from './record-codec.ts';
import {
  determinationKey,
  indexPartition,
  indexSortRange,
  recentPartition,
  STATS_SHARDS,
  statsPartition,
  statsSortKey,
  type IndexDimension,
  type StatsDimension,
} from './keys.ts';
import type { Tally } from './stats.ts';
import { GSI1 } from './table.ts';

// The public read access patterns (docs/DATA-MODEL.md): each is one GetItem, BatchGetItem or
// Query on a designed key. Nothing here reads private bookkeeping (source key, organisation).

const recordOnly = z.object({ record: z.instanceof(Uint8Array).optional() });

/** A case's public record, or null when there is none (or only its removal is pending). */
export async function readDetermination(
  deps: TableDeps,
  id: string,
): Promise<Determination | null> {
  const out = await deps.client.send(
    new GetItemCommand({
      TableName: deps.tableName,
      Key: toItem({ ...determinationKey(id) }),
      // Only the record: the item's bookkeeping (source key, previous version) never leaves here.
      ProjectionExpression: '#record',
      ExpressionAttributeNames: { '#record': 'record' },
    }),
  );
  if (out.Item === undefined) return null;
  return decode(recordOnly.parse(fromItem(out.Item)).record);
}

/** An item's summary as its index entries carry it (see contribution.ts). */
export const itemSummarySchema = z.object({
  caseNumber: z.string(),
  ordinal: z.number().int(),
  request: z.string(),
  decision: decisionSchema,
  category: categorySchema,
  subcategory: z.string().nullable(),
  drug: z.string().nullable(),
  bodyRegion: z.string().nullable(),
  decisionDate: z.string().nullable(),
  bodyRegions: z.array(z.string()),
  specialties: z.array(z.string()),
}) satisfies z.ZodType<ItemSummary>;

// Entries are stored flat: the key attributes beside the summary's fields.
const entrySchema = itemSummarySchema.extend({ SK: z.string() });

export interface IndexEntryRead {
  /** The entry's sort key: its position, for continuing after it. */
  sk: string;
  item: ItemSummary;
}

export interface IndexPageQuery {
  dimension: IndexDimension;
  value: string;
  year: string;
  decision: 'upheld' | 'overturned';
  /** Decision dates "YYYY-MM-DD", inclusive; null: unbounded. */
  from: string | null;
  to: string | null;
  /** Continue after this sort key (from a previous page); null starts at the newest. */
  after: string | null;
  limit: number;
}

/** One page of a dimension value's items of one decision and year, newest first. */
export async function readIndexPage(
  deps: TableDeps,
  q: IndexPageQuery,
): Promise<{ entries: IndexEntryRead[]; more: boolean }> {
  const pk = indexPartition(q.dimension, q.value, q.year);
  const range = indexSortRange(q.decision, q.from, q.to);
  const out = await deps.client.send(
    new QueryCommand({
      TableName: deps.tableName,
      KeyConditionExpression: 'PK = :pk AND SK BETWEEN :low AND :high',
      ExpressionAttributeValues: toItem({ ':pk': pk, ':low': range.low, ':high': range.high }),
      ScanIndexForward: false,
      Limit: q.limit,
      ...(q.after === null ? {} : { ExclusiveStartKey: toItem({ PK: pk, SK: q.after }) }),
    }),
  );
  const entries = (out.Items ?? []).map((raw) => {
    const { SK, ...item } = entrySchema.parse(fromItem(raw));
    return { sk: SK, item };
  });
  return { entries, more: out.LastEvaluatedKey !== undefined };
}

const recentSchema = z.object({
  PK: z.string(),
  GSI1SK: z.string(),
  record: z.instanceof(Uint8Array).optional(),
});

export interface RecentRead {
  /** Position for continuing after this determination. */
  position: { pk: string; sk: string };
  record: Determination;
}

/** One page of the determinations decided in one year, newest first. */
export async function readRecentPage(
  deps: TableDeps,
  q: { year: string; after: { pk: string; sk: string } | null; limit: number },
): Promise<{ determinations: RecentRead[]; more: boolean }> {
  const gsiPk = recentPartition(q.year);
  const out = await deps.client.send(
    new QueryCommand({
      TableName: deps.tableName,
      IndexName: GSI1.name,
      KeyConditionExpression: '#gpk = :pk',
      ExpressionAttributeNames: {
        '#gpk': GSI1.partitionKey,
        '#gsk': GSI1.sortKey,
        '#record': 'record',
      },
      ExpressionAttributeValues: toItem({ ':pk': gsiPk }),
      ProjectionExpression: 'PK, SK, #gsk, #record',
      ScanIndexForward: false,
      Limit: q.limit,
      ...(q.after === null
        ? {}
        : {
            ExclusiveStartKey: toItem({
              PK: q.after.pk,
              SK: 'DETERMINATION',
              [GSI1.partitionKey]: gsiPk,
              [GSI1.sortKey]: q.after.sk,
            }),
          }),
    }),
  );
  const determinations: RecentRead[] = [];
  for (const raw of out.Items ?? []) {
    const r = recentSchema.parse(fromItem(raw));
    const record = decode(r.record);
    // A removal in progress has no record: it is already gone for readers.
    if (record !== null) determinations.push({ position: { pk: r.PK, sk: r.GSI1SK }, record });
  }
  return { determinations, more: out.LastEvaluatedKey !== undefined };
}

const counterSchema = z.object({
  PK: z.string(),
  SK: z.string(),
  upheld: z.number().int().default(0),
  overturned: z.number().int().default(0),
});

/** A counter to read: a dimension's value, all time (no month) or in one month, maybe scoped. */
export interface TallyWanted {
  dimension: StatsDimension;
  value: string;
  /** "YYYY-MM"; absent or null: all time. */
  month?: string | null;
  /** Within one category (for the dimensions counted per category). */
  category?: string;
}

/** BatchGetItem takes at most this many keys. */
const BATCH_GET_KEYS = 100;

/** Counts of a few dimension values, by key (BatchGetItem over their shards, 100 keys a call). */
export async function readTallies(
  deps: TableDeps,
  wanted: readonly TallyWanted[],
): Promise<Tally[]> {
  const keyOf = (w: TallyWanted, shard: number) => ({
    PK: statsPartition(w.dimension, shard, w.category),
    SK: statsSortKey(w.value, w.month ?? null),
  });
  const keys: Record<string, AttributeValue>[] = [];
  for (const w of wanted) {
    for (let shard = 0; shard < STATS_SHARDS; shard++) keys.push(toItem(keyOf(w, shard)));
  }
  const found = new Map<string, Tally>();
  const batches: Record<string, AttributeValue>[][] = [];
  for (let i = 0; i < keys.length; i += BATCH_GET_KEYS) {
    batches.push(keys.slice(i, i + BATCH_GET_KEYS));
  }
  await Promise.all(
    batches.map(async (batch) => {
      let pending = batch;
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > 10) {
          throw new Error('DynamoDB left counter reads unprocessed after 10 retries');
        }
        const out = await deps.client.send(
          new BatchGetItemCommand({
            RequestItems: {
              [deps.tableName]: {
                Keys: pending,
                ProjectionExpression: 'PK, SK, upheld, overturned',
              },
            },
          }),
        );
        for (const raw of out.Responses?.[deps.tableName] ?? []) {
          const c = counterSchema.parse(fromItem(raw));
          found.set(`${c.PK}\u0000${c.SK}`, { upheld: c.upheld, overturned: c.overturned });
        }
        pending = out.UnprocessedKeys?.[deps.tableName]?.Keys ?? [];
      }
    }),
  );
  return wanted.map((w) => {
    const t = { upheld: 0, overturned: 0 };
    for (let shard = 0; shard < STATS_SHARDS; shard++) {
      const k = keyOf(w, shard);
      const c = found.get(`${k.PK}\u0000${k.SK}`);
      t.upheld += c?.upheld ?? 0;
      t.overturned += c?.overturned ?? 0;
    }
    return t;
  });
}

/** One cheap read that proves the table answers (for health checks). */
export async function pingTable(deps: TableDeps): Promise<void> {
  await deps.client.send(
    new GetItemCommand({
      TableName: deps.tableName,
      Key: toItem({ ...determinationKey('~health') }),
      ProjectionExpression: 'PK',
    }),
  );
}
