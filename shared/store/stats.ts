import { z } from 'zod';
import { fromItem, toItem } from './attributes.ts';
import { queryPages } from './paging.ts';
import type { TableDeps } from './table.ts';
import {
  parseStatsSortKey,
  STATS_ALL_TIME_PREFIX,
  STATS_SHARDS,
  statsMonthRange,
  statsPartition,
  type StatsDimension,
} from './keys.ts';

export interface Tally {
  upheld: number;
  overturned: number;
}

const counterSchema = z.object({
  SK: z.string(),
  upheld: z.number().int().default(0),
  overturned: z.number().int().default(0),
});

export interface StatsQuery {
  dimension: StatsDimension;
  /** Count only items of this category (for dimensions counted per category; see keys.ts). */
  category?: string;
  /** Months "YYYY-MM", inclusive; both absent means all time (including undated letters). */
  from?: string;
  to?: string;
}

/**
 * Upheld/overturned counts per value of a dimension: one Query per counter shard, however many
 * letters exist. With a month range, `byMonth` also gives each month's counts.
 */
export async function readStats(
  deps: TableDeps,
  query: StatsQuery,
): Promise<{ groups: Map<string, Tally>; byMonth: Map<string, Map<string, Tally>> }> {
  const ranged = query.from !== undefined || query.to !== undefined;
  const range = statsMonthRange(query.from ?? '0000-00', query.to ?? '9999-99');
  const groups = new Map<string, Tally>();
  const byMonth = new Map<string, Map<string, Tally>>();
  const shards = Array.from({ length: STATS_SHARDS }, (_, shard) => shard);
  const pages = await Promise.all(
    shards.map((shard) =>
      queryAll(deps, {
        pk: statsPartition(query.dimension, shard, query.category),
        ...(ranged ? { between: [range.low, range.high] } : { prefix: STATS_ALL_TIME_PREFIX }),
      }),
    ),
  );
  for (const item of pages.flat()) {
    const counter = counterSchema.parse(item);
    const parsed = parseStatsSortKey(counter.SK);
    if (parsed === null) continue;
    add(groups, parsed.value, counter);
    if (parsed.month !== null) {
      let m = byMonth.get(parsed.month);
      if (m === undefined) byMonth.set(parsed.month, (m = new Map()));
      add(m, parsed.value, counter);
    }
  }
  for (const [k, t] of groups) if (t.upheld === 0 && t.overturned === 0) groups.delete(k);
  return { groups, byMonth };
}

function add(map: Map<string, Tally>, key: string, t: Tally): void {
  const cur = map.get(key);
  if (cur === undefined) map.set(key, { upheld: t.upheld, overturned: t.overturned });
  else {
    cur.upheld += t.upheld;
    cur.overturned += t.overturned;
  }
}

async function queryAll(
  deps: TableDeps,
  key: { pk: string; prefix?: string; between?: [string, string] },
): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for await (const items of queryPages(deps.client, {
    TableName: deps.tableName,
    KeyConditionExpression:
      key.between !== undefined
        ? 'PK = :pk AND SK BETWEEN :low AND :high'
        : 'PK = :pk AND begins_with(SK, :prefix)',
    ExpressionAttributeValues: toItem(
      key.between !== undefined
        ? { ':pk': key.pk, ':low': key.between[0], ':high': key.between[1] }
        : { ':pk': key.pk, ':prefix': key.prefix ?? '' },
    ),
  })) {
    for (const item of items) out.push(fromItem(item));
  }
  return out;
}
