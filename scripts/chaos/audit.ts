import { ScanCommand, type DynamoDBClient, type ScanCommandOutput } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import { setTimeout as sleep } from 'node:timers/promises';
import { gunzipSync } from 'node:zlib';
import { forEachLimit } from '../../shared/concurrency.ts';
import { determinationSchema, type Determination } from '../../shared/record/index.ts';
import { readReceipt, receiptFor, receiptKey } from '../../shared/receipts/index.ts';
import {
  applyAllQueued,
  fromItem,
  counterDeltas,
  indexEntries,
  uploadRecordSchema,
  type UploadRecord,
} from '../../shared/store/index.ts';

// Whole-table views for the fault runs (`npm run chaos`) and the integration tests. The
// application never scans; these do, to recount every counter and index entry from the stored
// determinations and to check that every uploaded object ended recorded.

/** A table to read: the stack's client and table name (a stack in this or another process). */
export interface TableAccess {
  dynamodb: DynamoDBClient;
  tableName: string;
}

/** Every item in the table, as plain objects. */
export async function scanTable(table: TableAccess): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  let start: ScanCommandOutput['LastEvaluatedKey'];
  do {
    const res: ScanCommandOutput = await table.dynamodb.send(
      new ScanCommand({ TableName: table.tableName, ExclusiveStartKey: start }),
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
  /** Jobs queued and batches still being applied (apply-queue.ts): 0 at rest. */
  queued: number;
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
export async function snapshot(table: TableAccess): Promise<TableSnapshot> {
  return snapshotOf(await scanTable(table));
}

/** The snapshot of scanned items (separate so a check can be shown to catch a corrupted table). */
export function snapshotOf(items: readonly Record<string, unknown>[]): TableSnapshot {
  const determinations: TableSnapshot['determinations'] = new Map();
  const stored = new Map<string, [number, number]>();
  const recount = new Map<string, [number, number]>();
  const entries = new Set<string>();
  const expected = new Set<string>();
  const uploads: UploadRecord[] = [];
  let markers = 0;
  let queued = 0;
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
    } else if (item['type'] === 'change-job' || (pk.startsWith('LANE#') && 'applying' in item)) {
      queued++;
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
    queued,
    uploads,
  };
}

/** What the fault runs check after each scenario. */
export interface Audit {
  /** Objects the run uploaded (keys). */
  uploaded: number;
  /** Uploads whose status says they became a determination (parsed, replaced, duplicate). */
  ingested: number;
  /** Determination records in the table. */
  determinations: number;
  /** Uploads recorded as failed, each with a reason and a message. */
  failures: number;
  /** Uploaded keys with no status, or whose status names a determination that is not stored. */
  lost: string[];
  /** Counters that differ from a recount ("key: stored vs recount"); empty when all agree. */
  counterMismatches: string[];
  /** Index entries missing or left over, compared with those the determinations call for. */
  indexMismatches: number;
  /** Determinations still `pending` (a claim nobody completed). */
  pending: number;
  /** Index-chunk markers left behind. */
  markers: number;
  /** Jobs left queued or half-applied (a lane nobody drained). */
  queued: number;
  /** Receipts missing, or saying something other than the status record. */
  receiptMismatches: string[];
  /** Failures without a reason or message. */
  unexplainedFailures: string[];
}

/** True when nothing was lost and the table agrees with itself. */
export function auditPassed(a: Audit): boolean {
  return (
    a.lost.length === 0 &&
    a.counterMismatches.length === 0 &&
    a.indexMismatches === 0 &&
    a.pending === 0 &&
    a.markers === 0 &&
    a.queued === 0 &&
    a.receiptMismatches.length === 0 &&
    a.unexplainedFailures.length === 0
  );
}

/** The problems an audit found, one line each (empty when it passed). */
export function auditProblems(a: Audit): string[] {
  const some = (xs: string[]): string =>
    xs.slice(0, 3).join('; ') + (xs.length > 3 ? `; … ${xs.length - 3} more` : '');
  const out: string[] = [];
  if (a.lost.length > 0) out.push(`${a.lost.length} lost: ${some(a.lost)}`);
  if (a.counterMismatches.length > 0)
    out.push(`${a.counterMismatches.length} counters ≠ recount: ${some(a.counterMismatches)}`);
  if (a.indexMismatches > 0) out.push(`${a.indexMismatches} index entries wrong`);
  if (a.pending > 0) out.push(`${a.pending} pending claims left`);
  if (a.markers > 0) out.push(`${a.markers} chunk markers left`);
  if (a.queued > 0) out.push(`${a.queued} jobs left queued`);
  if (a.receiptMismatches.length > 0)
    out.push(`${a.receiptMismatches.length} receipts wrong: ${some(a.receiptMismatches)}`);
  if (a.unexplainedFailures.length > 0)
    out.push(
      `${a.unexplainedFailures.length} failures without reason: ${some(a.unexplainedFailures)}`,
    );
  return out;
}

/** Compares a snapshot with the keys that were uploaded (no receipts checked). */
export function auditSnapshot(snap: TableSnapshot, uploadedKeys: readonly string[]): Audit {
  const statuses = new Map(snap.uploads.map((u) => [u.key, u]));
  const lost: string[] = [];
  const unexplained: string[] = [];
  let ingested = 0;
  let failures = 0;
  for (const key of uploadedKeys) {
    const status = statuses.get(key);
    if (status === undefined) {
      lost.push(`${key} (no status)`);
    } else if (status.status === 'failed') {
      failures++;
      if (!status.reason || !status.message) unexplained.push(key);
    } else {
      ingested++;
      if (status.caseNumber === null || !snap.determinations.has(status.caseNumber))
        lost.push(`${key} (${status.status} ${status.caseNumber ?? '?'}, not stored)`);
    }
  }
  const counterMismatches: string[] = [];
  for (const k of new Set([...snap.counters.keys(), ...snap.recount.keys()])) {
    const stored = snap.counters.get(k) ?? '0/0';
    const recount = snap.recount.get(k) ?? '0/0';
    if (stored !== recount)
      counterMismatches.push(`${k.replace('\u0000', ' ')}: ${stored} vs ${recount}`);
  }
  let indexMismatches = 0;
  for (const e of snap.indexEntries) if (!snap.expectedIndexEntries.has(e)) indexMismatches++;
  for (const e of snap.expectedIndexEntries) if (!snap.indexEntries.has(e)) indexMismatches++;
  return {
    uploaded: uploadedKeys.length,
    ingested,
    determinations: snap.determinations.size,
    failures,
    lost,
    counterMismatches,
    indexMismatches,
    pending: [...snap.determinations.values()].filter((d) => d.state !== 'complete').length,
    markers: snap.markers,
    queued: snap.queued,
    receiptMismatches: [],
    unexplainedFailures: unexplained,
  };
}

/**
 * Applies what the lanes hold, as the scheduled `ApplyQueued` does on AWS, waiting out a batch
 * abandoned half-way (in an outage) until it is stale and taken over; what is still queued after
 * `timeoutMs` is left for the audit to report.
 */
export async function settleLanes(table: TableAccess, timeoutMs = 60_000): Promise<void> {
  const deps = { client: table.dynamodb, tableName: table.tableName, queue: { waitMs: 0 } };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const outcomes = await applyAllQueued(deps);
    if (outcomes.every((o) => o === 'empty')) return;
    await sleep(1_000);
  }
}

/**
 * Audits the table and each upload's receipt against the uploaded keys, once the lanes have
 * applied what they hold (settleLanes).
 */
export async function audit(
  table: TableAccess,
  s3: S3Client,
  bucket: string,
  uploadedKeys: readonly string[],
): Promise<Audit> {
  await settleLanes(table);
  const snap = await snapshot(table);
  const result = auditSnapshot(snap, uploadedKeys);
  const statuses = new Map(snap.uploads.map((u) => [u.key, u]));
  await forEachLimit(uploadedKeys, 8, async (key) => {
    const status = statuses.get(key);
    const at = receiptKey(key);
    if (status === undefined || at === null) return;
    const read = await readReceipt(s3, bucket, at);
    if (read.kind !== 'ok') {
      result.receiptMismatches.push(`${key} (receipt ${read.kind})`);
    } else if (JSON.stringify(read.receipt) !== JSON.stringify(receiptFor(status))) {
      result.receiptMismatches.push(
        `${key} (receipt ${read.receipt.status}, status ${status.status})`,
      );
    }
  });
  return result;
}
