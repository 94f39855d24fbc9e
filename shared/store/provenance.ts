import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { z } from 'zod';
import type { Determination } from '../determination.ts';
import { fromItem, toItem } from './attributes.ts';
import type { TableDeps } from './determinations.ts';
import {
  casePartition,
  conflictKey,
  CONFLICT_PREFIX,
  corroborationKey,
  CORROBORATION_PREFIX,
  OPEN_CONFLICTS_PARTITION,
  openConflictKey,
} from './keys.ts';
import { queryPages } from './paging.ts';
import { decode, encode } from './record-codec.ts';
import { GSI1 } from './table.ts';

// Who sent a case besides the organisation that owns its public record (docs/DATA-MODEL.md,
// "Provenance"): organisations whose copy says the same (corroborations), and organisations whose
// copy differs (conflicts, held aside until an operator settles them). Neither changes anything
// public: no record, no index entry, no counter.

/** Where another organisation's copy of a case came from. */
export interface HeldUpload {
  id: string;
  organisation: string;
  sourceKey: string;
  contentHash: string;
  sequencer: string;
  now: string;
}

const corroborationSchema = z.object({
  caseId: z.string(),
  organisation: z.string(),
  sourceKey: z.string(),
  contentHash: z.string(),
  sequencer: z.string(),
  updatedAt: z.string(),
});
export type Corroboration = z.infer<typeof corroborationSchema>;

const bytes = z.instanceof(Uint8Array);
const conflictSchema = corroborationSchema.extend({
  record: bytes,
  differences: z.array(z.string()),
});

/** Another organisation's different content for a case, as an operator reviews it. */
export interface Conflict extends Corroboration {
  record: Determination;
  /** What differs from the published record, in words (at most a few lines). */
  differences: string[];
}

// The file name differs between copies of one letter; everything else is what was parsed.
function comparable(record: Determination): string {
  return JSON.stringify({ ...record, source: '' });
}

/** Whether two records publish the same thing (every parsed field equal; the file name aside). */
export function samePublishedRecord(a: Determination, b: Determination): boolean {
  return comparable(a) === comparable(b);
}

const MAX_DIFFERENCES = 5;

/** The first few ways `theirs` differs from the published record, in words. */
export function describeDifferences(theirs: Determination, published: Determination): string[] {
  const out: string[] = [];
  if (theirs.issues.length !== published.issues.length) {
    out.push(
      `${theirs.issues.length} disputed items here, ${published.issues.length} in the published record`,
    );
  }
  for (const item of theirs.issues) {
    const other = published.issues.find((i) => i.ordinal === item.ordinal);
    if (other === undefined) continue;
    if (other.decision !== item.decision) {
      out.push(
        `item ${item.ordinal} is ${item.decision} here, ${other.decision} in the published record`,
      );
    }
    if (other.request !== item.request) out.push(`item ${item.ordinal}'s request differs`);
  }
  if (theirs.dates.decision !== published.dates.decision) {
    out.push(
      `decision date ${theirs.dates.decision ?? 'none'} here, ${published.dates.decision ?? 'none'} in the published record`,
    );
  }
  if (out.length === 0) out.push('other parsed fields differ (summary, citations or rationale)');
  return out.slice(0, MAX_DIFFERENCES);
}

/** Records that another organisation sent the same record (its latest upload of the case). */
export async function putCorroboration(deps: TableDeps, held: HeldUpload): Promise<void> {
  await deps.client.send(
    new PutItemCommand({
      TableName: deps.tableName,
      Item: toItem({
        ...corroborationKey(held.id, held.organisation),
        type: 'corroboration',
        caseId: held.id,
        organisation: held.organisation,
        sourceKey: held.sourceKey,
        contentHash: held.contentHash,
        sequencer: held.sequencer,
        updatedAt: held.now,
      }),
    }),
  );
}

/** Other organisations that sent a case's published record, oldest first. */
export async function listCorroborations(deps: TableDeps, id: string): Promise<Corroboration[]> {
  const items = await queryCase(deps, id, CORROBORATION_PREFIX);
  return items
    .map((i) => corroborationSchema.parse(i))
    .sort((a, b) => a.updatedAt.localeCompare(b.updatedAt));
}

/** Removes a corroboration, if it still comes from the same upload. */
export async function deleteCorroboration(
  deps: TableDeps,
  id: string,
  c: { organisation: string; sourceKey: string },
): Promise<void> {
  await deleteIfFrom(deps, corroborationKey(id, c.organisation), c.sourceKey);
}

/**
 * Holds another organisation's different content aside as a conflict (its latest upload of the
 * case), listed for an operator under GSI1.
 */
export async function putConflict(
  deps: TableDeps,
  held: HeldUpload & { record: Determination },
  published: Determination | null,
): Promise<Conflict> {
  const differences =
    published === null
      ? ['the published record was removed']
      : describeDifferences(held.record, published);
  await deps.client.send(
    new PutItemCommand({
      TableName: deps.tableName,
      Item: toItem({
        ...conflictKey(held.id, held.organisation),
        ...openConflictKey(held.id, held.organisation, held.now),
        type: 'conflict',
        caseId: held.id,
        organisation: held.organisation,
        sourceKey: held.sourceKey,
        contentHash: held.contentHash,
        sequencer: held.sequencer,
        updatedAt: held.now,
        record: encode(held.record),
        differences,
      }),
    }),
  );
  return {
    caseId: held.id,
    organisation: held.organisation,
    sourceKey: held.sourceKey,
    contentHash: held.contentHash,
    sequencer: held.sequencer,
    updatedAt: held.now,
    record: held.record,
    differences,
  };
}

function conflictOf(item: Record<string, unknown>): Conflict {
  const c = conflictSchema.parse(item);
  const record = decode(c.record);
  if (record === null) throw new Error(`conflict ${c.caseId}/${c.organisation} has no record`);
  return { ...c, record };
}

/** One organisation's conflict over a case, or null. */
export async function getConflict(
  deps: TableDeps,
  id: string,
  organisation: string,
): Promise<Conflict | null> {
  const out = await deps.client.send(
    new GetItemCommand({
      TableName: deps.tableName,
      Key: toItem({ ...conflictKey(id, organisation) }),
      ConsistentRead: true,
    }),
  );
  return out.Item === undefined ? null : conflictOf(fromItem(out.Item));
}

/** The open conflicts of one case. */
export async function caseConflicts(deps: TableDeps, id: string): Promise<Conflict[]> {
  return (await queryCase(deps, id, CONFLICT_PREFIX)).map(conflictOf);
}

/** Every open conflict, oldest first, at most `limit`. */
export async function listConflicts(deps: TableDeps, limit = 1000): Promise<Conflict[]> {
  const out: Conflict[] = [];
  for await (const page of queryPages(deps.client, {
    TableName: deps.tableName,
    IndexName: GSI1.name,
    KeyConditionExpression: 'GSI1PK = :pk',
    ExpressionAttributeValues: toItem({ ':pk': OPEN_CONFLICTS_PARTITION }),
  })) {
    for (const item of page) {
      out.push(conflictOf(fromItem(item)));
      if (out.length >= limit) return out;
    }
  }
  return out;
}

/** Removes a conflict, if it still comes from the same upload (any upload when null). */
export async function deleteConflict(
  deps: TableDeps,
  id: string,
  organisation: string,
  sourceKey: string | null,
): Promise<void> {
  await deleteIfFrom(deps, conflictKey(id, organisation), sourceKey);
}

/**
 * When a non-owner's key that had produced a corroboration or conflict now holds something else
 * (or nothing), what it had sent no longer stands: drop it.
 */
export async function releaseHeld(
  deps: TableDeps,
  id: string,
  organisation: string,
  sourceKey: string,
): Promise<void> {
  await deleteIfFrom(deps, corroborationKey(id, organisation), sourceKey);
  await deleteIfFrom(deps, conflictKey(id, organisation), sourceKey);
}

async function deleteIfFrom(
  deps: TableDeps,
  key: { PK: string; SK: string },
  sourceKey: string | null,
): Promise<void> {
  try {
    await deps.client.send(
      new DeleteItemCommand({
        TableName: deps.tableName,
        Key: toItem({ ...key }),
        ...(sourceKey === null
          ? {}
          : {
              ConditionExpression: 'sourceKey = :key',
              ExpressionAttributeValues: toItem({ ':key': sourceKey }),
            }),
      }),
    );
  } catch (e) {
    // A newer upload of the organisation holds it now, or it is gone: nothing of this key's.
    if (!(e instanceof ConditionalCheckFailedException)) throw e;
  }
}

async function queryCase(
  deps: TableDeps,
  id: string,
  prefix: string,
): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for await (const page of queryPages(deps.client, {
    TableName: deps.tableName,
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
    ExpressionAttributeValues: toItem({ ':pk': casePartition(id), ':prefix': prefix }),
    ConsistentRead: true,
  })) {
    out.push(...page.map((i) => fromItem(i)));
  }
  return out;
}
