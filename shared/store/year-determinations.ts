import { z } from 'zod';
import type { Determination } from '../record/index.ts';
import { fromItem, toItem } from './attributes.ts';
import type { TableDeps } from './table.ts';
import { decode } from './record-codec.ts';
import { recentPartition } from './keys.ts';
import { queryPages } from './paging.ts';
import { GSI1 } from './table.ts';

// Bulk reading for exports: every determination decided in one year, through the year's GSI1
// partition (the "recent determinations" access pattern read oldest first). One such stream per
// year can run in parallel with the others; nothing here scans the table.

const yearItemSchema = z.object({
  caseId: z.string(),
  record: z.instanceof(Uint8Array).optional(),
});

export interface YearDetermination {
  /** The case number, or `X-` and a content digest for a letter that names none. */
  caseId: string;
  record: Determination;
}

/**
 * The determinations decided in `year` ("0000": undated), one DynamoDB page (up to 1 MB) at a
 * time, oldest first (decision date, then case id). A pending write is read as its new record,
 * as the API reads it; a pending removal is already gone.
 */
export async function* determinationsOfYear(
  deps: TableDeps,
  year: string,
): AsyncGenerator<YearDetermination[]> {
  for await (const items of queryPages(deps.client, {
    TableName: deps.tableName,
    IndexName: GSI1.name,
    KeyConditionExpression: '#pk = :pk',
    ExpressionAttributeNames: { '#pk': GSI1.partitionKey, '#record': 'record' },
    ExpressionAttributeValues: toItem({ ':pk': recentPartition(year) }),
    // Only the public record and its id: bookkeeping (source key, previous) stays here.
    ProjectionExpression: 'caseId, #record',
    ScanIndexForward: true,
  })) {
    const out: YearDetermination[] = [];
    for (const raw of items) {
      const item = yearItemSchema.parse(fromItem(raw));
      const record = decode(item.record);
      if (record !== null) out.push({ caseId: item.caseId, record });
    }
    yield out;
  }
}
