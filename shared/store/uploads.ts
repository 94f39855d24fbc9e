import {
  BatchGetItemCommand,
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  type AttributeValue,
  type BatchGetItemCommandOutput,
} from '@aws-sdk/client-dynamodb';
import { z } from 'zod';
import { fromItem, toItem } from './attributes.ts';
import { queryPages } from './paging.ts';
import type { TableDeps } from './table.ts';
import {
  organisationUploadsKey,
  organisationUploadsPartition,
  organisationUploadsTimeRange,
  uploadKey,
} from './keys.ts';
import { GSI1 } from './table.ts';
import { FAILURE_REASONS } from '../errors.ts';

/**
 * `conflict`: another organisation owns the case and published different content; this upload
 * is held aside for an operator and changes nothing public.
 */
export const uploadStatusSchema = z.enum(['parsed', 'duplicate', 'replaced', 'conflict', 'failed']);
export type UploadStatusName = z.infer<typeof uploadStatusSchema>;

/** What became of one uploaded object. Private to the uploading organisation. */
export const uploadRecordSchema = z.object({
  key: z.string(),
  organisation: z.string(),
  status: uploadStatusSchema,
  /**
   * Stable failure code (FAILURE_REASONS, shared/errors.ts); null unless failed. The ingest
   * writes only those codes (its failures are typed FailureReason), but any string is read back:
   * a code stored by another version must not make the status, its receipt or a roll-up fail.
   */
  reason: z.string().nullable(),
  /** What the person who sent the file can do about a failure or conflict; null otherwise. */
  message: z.string().nullable(),
  caseNumber: z.string().nullable(),
  items: z.number().int().nullable(),
  outcome: z.string().nullable(),
  contentHash: z.string().nullable(),
  size: z.number().int().nullable(),
  /** Which version of the object was read: a re-delivered event for it changes nothing. */
  objectVersion: z.string(),
  /** S3's event sequencer, zero-padded so that string order is event order. */
  sequencer: z.string(),
  /** The `imr-upload-id` metadata the uploader set, so it can wait for its own result. */
  uploadId: z.string().nullable(),
  updatedAt: z.string(),
});
export type UploadRecord = z.infer<typeof uploadRecordSchema>;

/** An upload status as this version writes it: its failure reason one of FAILURE_REASONS. */
export const uploadWriteSchema = uploadRecordSchema.extend({
  reason: z.enum(FAILURE_REASONS).nullable(),
});

function parseUpload(item: Record<string, unknown>): UploadRecord {
  return uploadRecordSchema.parse(item);
}

/** The status of the object at `key`, or null when it has not been ingested. */
export async function getUpload(deps: TableDeps, key: string): Promise<UploadRecord | null> {
  const out = await deps.client.send(
    new GetItemCommand({
      TableName: deps.tableName,
      Key: toItem({ ...uploadKey(key) }),
      ConsistentRead: true,
    }),
  );
  return out.Item === undefined ? null : parseUpload(fromItem(out.Item));
}

/** Statuses of many keys (absent keys are left out), 100 per request. */
export async function getUploads(
  deps: TableDeps,
  keys: readonly string[],
): Promise<UploadRecord[]> {
  const out: UploadRecord[] = [];
  for (let i = 0; i < keys.length; i += 100) {
    let wanted: Record<string, AttributeValue>[] = keys
      .slice(i, i + 100)
      .map((k) => toItem({ ...uploadKey(k) }));
    while (wanted.length > 0) {
      const res: BatchGetItemCommandOutput = await deps.client.send(
        new BatchGetItemCommand({
          RequestItems: { [deps.tableName]: { Keys: wanted, ConsistentRead: true } },
        }),
      );
      for (const item of res.Responses?.[deps.tableName] ?? []) {
        out.push(parseUpload(fromItem(item)));
      }
      wanted = res.UnprocessedKeys?.[deps.tableName]?.Keys ?? [];
      // Keys left unprocessed mean the table is throttling: back off before asking again.
      if (wanted.length > 0) await new Promise((r) => setTimeout(r, 50 + Math.random() * 200));
    }
  }
  return out;
}

/**
 * Records an upload's status unless a later event for the same key got there first (events may
 * arrive out of order). Returns false when the write lost to a later event.
 */
export async function putUpload(deps: TableDeps, upload: UploadRecord): Promise<boolean> {
  uploadWriteSchema.parse(upload);
  try {
    await deps.client.send(
      new PutItemCommand({
        TableName: deps.tableName,
        Item: toItem({
          ...uploadKey(upload.key),
          ...organisationUploadsKey(
            upload.organisation,
            upload.status,
            upload.updatedAt,
            upload.key,
          ),
          type: 'upload',
          ...upload,
        }),
        ConditionExpression: 'attribute_not_exists(PK) OR sequencer <= :sequencer',
        ExpressionAttributeValues: toItem({ ':sequencer': upload.sequencer }),
      }),
    );
    return true;
  } catch (e) {
    if (e instanceof ConditionalCheckFailedException) return false;
    throw e;
  }
}

/** An organisation's uploads with one status (e.g. "failed"), newest first, a page at a time. */
export async function listOrganisationUploads(
  deps: TableDeps,
  organisation: string,
  status: UploadRecord['status'],
  limit = 100,
): Promise<UploadRecord[]> {
  const out = await deps.client.send(
    new QueryCommand({
      TableName: deps.tableName,
      IndexName: GSI1.name,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': GSI1.partitionKey },
      ExpressionAttributeValues: toItem({
        ':pk': organisationUploadsPartition(organisation, status),
      }),
      ScanIndexForward: false,
      Limit: limit,
    }),
  );
  return (out.Items ?? []).map((i) => parseUpload(fromItem(i)));
}

/**
 * An organisation's uploads with one status whose status was recorded between two times
 * (inclusive ISO prefixes: "2024-05-01" is the whole day), oldest first, every page.
 */
export async function listOrganisationUploadsBetween(
  deps: TableDeps,
  organisation: string,
  status: UploadRecord['status'],
  from: string,
  to: string,
): Promise<UploadRecord[]> {
  const range = organisationUploadsTimeRange(from, to);
  const out: UploadRecord[] = [];
  for await (const items of queryPages(deps.client, {
    TableName: deps.tableName,
    IndexName: GSI1.name,
    KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :low AND :high',
    ExpressionAttributeNames: { '#pk': GSI1.partitionKey, '#sk': GSI1.sortKey },
    ExpressionAttributeValues: toItem({
      ':pk': organisationUploadsPartition(organisation, status),
      ':low': range.low,
      ':high': range.high,
    }),
  })) {
    for (const item of items) out.push(parseUpload(fromItem(item)));
  }
  return out;
}
