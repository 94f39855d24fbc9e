import { GetItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { z } from 'zod';
import type { Determination } from '../record/index.ts';
import { fromItem, toItem } from './attributes.ts';
import type { IndexEntry } from './contribution.ts';
import { determinationKey, recentKey } from './keys.ts';
import { decode, encode } from './record-codec.ts';
import type { TableDeps } from './table.ts';

// A case's determination item as stored (the public record and the write protocol's private
// bookkeeping) and an index entry's item: how determinations.ts writes them and reads them back.

const bytes = z.instanceof(Uint8Array);
const storedSchema = z.object({
  caseId: z.string(),
  state: z.enum(['pending', 'complete']),
  version: z.number().int().positive(),
  claim: z.string(),
  outcome: z.enum(['parsed', 'replaced', 'removed']),
  contentHash: z.string().nullable(),
  owner: z.string(),
  sourceKey: z.string().nullable(),
  sourceSequencer: z.string().nullable().default(null),
  record: bytes.optional(),
  previous: bytes.optional(),
  previousSource: z
    .object({
      owner: z.string(),
      sourceKey: z.string(),
      contentHash: z.string(),
      sequencer: z.string(),
    })
    .nullable()
    .default(null),
  updatedAt: z.string(),
});

/** A determination as stored, with the bookkeeping the write protocol needs. */
export interface StoredDetermination {
  caseId: string;
  state: 'pending' | 'complete';
  version: number;
  /**
   * Unique to one claim. Versions restart at 1 after a removal, so the pending work (markers,
   * checks) is tied to this token instead: a writer holding an old claim can never match a new one.
   */
  claim: string;
  /** What the claim did, reported again to a retry that finds its own write. */
  outcome: 'parsed' | 'replaced' | 'removed';
  contentHash: string | null;
  /**
   * The organisation whose upload produced the record: only it replaces or removes it (or an
   * operator settling a conflict). Private: never served.
   */
  owner: string;
  /** The upload key the current record came from. Private: never served. */
  sourceKey: string | null;
  /** S3's event sequencer of that upload: an older event for the same key must not win. */
  sourceSequencer: string | null;
  /** null while a removal is pending. */
  record: Determination | null;
  previous: Determination | null;
  /**
   * Set while an operator's settlement moves the case to another organisation: the upload the
   * replaced record came from, held aside as a copy when the change completes.
   */
  previousSource: {
    owner: string;
    sourceKey: string;
    contentHash: string;
    sequencer: string;
  } | null;
}

/** The stored determination of a case (read consistently), or null. */
export async function getStoredDetermination(
  deps: TableDeps,
  id: string,
): Promise<StoredDetermination | null> {
  const out = await deps.client.send(
    new GetItemCommand({
      TableName: deps.tableName,
      Key: toItem({ ...determinationKey(id) }),
      ConsistentRead: true,
    }),
  );
  if (out.Item === undefined) return null;
  const s = storedSchema.parse(fromItem(out.Item));
  return { ...s, record: decode(s.record), previous: decode(s.previous) };
}

/** The item of a determination as stored. */
export function storedItem(next: StoredDetermination, now: string): Record<string, AttributeValue> {
  const decisionDate = next.record?.dates.decision ?? null;
  return toItem({
    ...determinationKey(next.caseId),
    // A pending removal leaves the recent list at once; a record joins it when claimed.
    ...(next.record === null ? {} : recentKey(next.caseId, decisionDate)),
    type: 'determination',
    caseId: next.caseId,
    state: next.state,
    version: next.version,
    claim: next.claim,
    outcome: next.outcome,
    contentHash: next.contentHash,
    owner: next.owner,
    sourceKey: next.sourceKey,
    sourceSequencer: next.sourceSequencer,
    decisionDate,
    record: next.record === null ? undefined : encode(next.record),
    previous: next.previous === null ? undefined : encode(next.previous),
    previousSource: next.previousSource ?? undefined,
    updatedAt: now,
  });
}

/** The item of an index entry. */
export function entryItem(e: IndexEntry): Record<string, AttributeValue> {
  return toItem({ PK: e.PK, SK: e.SK, type: 'item', ...e.item });
}
