import { PutObjectCommand } from '@aws-sdk/client-s3';
import { ScanCommand, type ScanCommandOutput } from '@aws-sdk/client-dynamodb';
import { gunzipSync } from 'node:zlib';
import type { LocalStack } from '../../local/stack.ts';
import { determinationSchema, type Determination } from '../../shared/determination.ts';
import { UPLOAD_ID_METADATA } from '../../shared/ingest/letter-objects.ts';
import { readReceipt } from '../../shared/receipts/bucket.ts';
import { receiptKey, type Receipt } from '../../shared/receipts/receipt.ts';
import { fromItem } from '../../shared/store/attributes.ts';
import { counterDeltas, indexEntries } from '../../shared/store/contribution.ts';
import { getUpload, uploadRecordSchema, type UploadRecord } from '../../shared/store/uploads.ts';

// Test-only views of the whole table. The application never scans; tests do, to recount
// everything from first principles and compare.

/** Every item in the table, as plain objects. */
export async function scanTable(stack: LocalStack): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  let start: ScanCommandOutput['LastEvaluatedKey'];
  do {
    const res: ScanCommandOutput = await stack.dynamodb.send(
      new ScanCommand({ TableName: stack.tableName, ExclusiveStartKey: start }),
    );
    for (const item of res.Items ?? []) out.push(fromItem(item));
    start = res.LastEvaluatedKey;
  } while (start !== undefined);
  return out;
}

export interface TableSnapshot {
  determinations: Map<string, { record: Determination; state: string; contentHash: string }>;
  /** Counter values as stored, shards summed: "PK-without-shard\0SK" → "upheld/overturned". */
  counters: Map<string, string>;
  /** Counters recounted from the stored determinations, in the same form. */
  recount: Map<string, string>;
  indexEntries: Set<string>;
  expectedIndexEntries: Set<string>;
  markers: number;
  uploads: UploadRecord[];
}

function withoutShard(pk: string): string {
  return pk.replace(/#\d+$/, '');
}

function tallyInto(
  map: Map<string, [number, number]>,
  pk: string,
  sk: string,
  u: number,
  o: number,
): void {
  const k = `${withoutShard(pk)}\u0000${sk}`;
  const cur = map.get(k) ?? [0, 0];
  map.set(k, [cur[0] + u, cur[1] + o]);
}

function asStrings(map: Map<string, [number, number]>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, [u, o]] of map) if (u !== 0 || o !== 0) out.set(k, `${u}/${o}`);
  return out;
}

/** Reads the whole table and recounts every counter and index entry from the determinations. */
export async function snapshot(stack: LocalStack): Promise<TableSnapshot> {
  const items = await scanTable(stack);
  const determinations: TableSnapshot['determinations'] = new Map();
  const stored = new Map<string, [number, number]>();
  const recount = new Map<string, [number, number]>();
  const entries = new Set<string>();
  const expected = new Set<string>();
  const uploads: UploadRecord[] = [];
  let markers = 0;
  for (const item of items) {
    const pk = String(item['PK']);
    const sk = String(item['SK']);
    if (item['type'] === 'determination') {
      const record = determinationSchema.parse(
        JSON.parse(gunzipSync(item['record'] as Uint8Array).toString('utf8')),
      );
      const id = String(item['caseId']);
      determinations.set(id, {
        record,
        state: String(item['state']),
        contentHash: String(item['contentHash']),
      });
      for (const d of counterDeltas(id, record))
        tallyInto(recount, d.PK, d.SK, d.upheld, d.overturned);
      for (const e of indexEntries(id, record)) expected.add(`${e.PK}\u0000${e.SK}`);
    } else if (pk.startsWith('STATS#')) {
      tallyInto(stored, pk, sk, Number(item['upheld'] ?? 0), Number(item['overturned'] ?? 0));
    } else if (item['type'] === 'item') {
      entries.add(`${pk}\u0000${sk}`);
    } else if (item['type'] === 'marker') {
      markers++;
    } else if (item['type'] === 'upload') {
      uploads.push(uploadRecordSchema.parse(item));
    }
  }
  return {
    determinations,
    counters: asStrings(stored),
    recount: asStrings(recount),
    indexEntries: entries,
    expectedIndexEntries: expected,
    markers,
    uploads,
  };
}

/** Uploads bytes to the local bucket and waits until the ingest has recorded its status. */
export async function uploadAndWait(
  stack: LocalStack,
  key: string,
  body: Uint8Array | string,
): Promise<UploadRecord> {
  await stack.s3.send(
    new PutObjectCommand({
      Bucket: stack.bucket,
      Key: key,
      Body: body,
      Metadata: { [UPLOAD_ID_METADATA]: crypto.randomUUID() },
    }),
  );
  await stack.ingest.idle();
  const upload = await getUpload(stack.table, key);
  if (upload === null) throw new Error(`no status recorded for ${key}`);
  return upload;
}

/** The receipt the ingest wrote for an upload key, or null when there is none. */
export async function receiptOf(stack: LocalStack, uploadKey: string): Promise<Receipt | null> {
  const key = receiptKey(uploadKey);
  if (key === null) return null;
  const read = await readReceipt(stack.s3, stack.bucket, key);
  if (read.kind === 'unreadable') throw new Error(`unreadable receipt ${key}: ${read.problem}`);
  return read.kind === 'ok' ? read.receipt : null;
}
