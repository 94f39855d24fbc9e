// Write-capacity arithmetic for a backfill on AWS (bench:scale, docs/RELIABILITY.md "Scale"):
// item sizes as DynamoDB counts them, the write units one letter's ingest costs, and how those
// units land on partitions. DynamoDB Local does not model partitions or throughput, so this is
// arithmetic over the items the ingest really writes, not a measurement of AWS.
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Determination } from '../shared/record/index.ts';
import {
  toItem,
  counterDeltas,
  indexEntries,
  changeJobKey,
  encodeChanges,
  laneLedgerKey,
  statsShard,
  organisationUploadsKey,
  recentKey,
  uploadKey,
} from '../shared/store/index.ts';

/** The size of the job a new letter queues: its counters, no entries to drop. */
function changeJobItemBytes(id: string, deltas: ReturnType<typeof counterDeltas>): number {
  return itemBytes(
    toItem({
      ...changeJobKey(statsShard(id), '2026-12-03T00:00:00.000Z', id, 'x'.repeat(36)),
      type: 'change-job',
      caseId: id,
      changes: encodeChanges({ deltas, drop: [] }),
      weight: 999,
    }),
  );
}

/** What one partition accepts per second on AWS (DynamoDB developer guide, partitions). */
export const PARTITION_WCU_PER_SECOND = 1_000;
const UNIT = 1_024;

/** Size of an attribute value as DynamoDB bills it (developer guide, "Item sizes"). */
export function attributeBytes(v: AttributeValue): number {
  if (v.S !== undefined) return Buffer.byteLength(v.S, 'utf8');
  if (v.N !== undefined) {
    const digits = v.N.replace(/^-/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
    return Math.ceil(Math.max(1, digits.length) / 2) + 1;
  }
  if (v.B !== undefined) return v.B.length;
  if (v.BOOL !== undefined || v.NULL !== undefined) return 1;
  if (v.L !== undefined) return 3 + v.L.reduce((n, e) => n + 1 + attributeBytes(e), 0);
  if (v.M !== undefined) {
    return 3 + Object.entries(v.M).reduce((n, [k, e]) => n + 1 + k.length + attributeBytes(e), 0);
  }
  if (v.SS !== undefined) return v.SS.reduce((n, s) => n + Buffer.byteLength(s, 'utf8'), 0);
  return 0;
}

/** An item's size: attribute names plus values. */
export function itemBytes(item: Record<string, AttributeValue>): number {
  let n = 0;
  for (const [k, v] of Object.entries(item)) n += Buffer.byteLength(k, 'utf8') + attributeBytes(v);
  return n;
}

/** Write units of one write of `bytes`: 1 per KB started, 2 inside a transaction. */
export function writeUnits(bytes: number, transactional: boolean): number {
  return Math.max(1, Math.ceil(bytes / UNIT)) * (transactional ? 2 : 1);
}

/** One write the ingest makes for a letter: where it lands and what it costs. */
export interface PlannedWrite {
  /** Partition key (table) or `GSI1:<key>` (the index's own partition). */
  pk: string;
  sk: string;
  units: number;
  kind: 'record' | 'entry' | 'counter' | 'queue' | 'status' | 'index';
}

/**
 * The writes of a new letter's ingest (DATA-MODEL.md, "Writing a determination"): the claim put;
 * the finish transaction (record update, job put); the lane's batch as if it held this letter
 * alone (the ledger's start and end, each counter updated, each index entry put, the job
 * deleted), so counters are not merged with other letters'; the upload status; and the GSI1
 * copies of the record and the status. `recordItem` is the stored record as written.
 */
export function letterWritePlan(
  id: string,
  record: Determination,
  recordItem: Record<string, AttributeValue>,
  organisation = 'bench',
): PlannedWrite[] {
  const recordBytes = itemBytes(recordItem);
  const caseKey = `CASE#${id}`;
  const recent = recentKey(id, record.dates.decision);
  const entries = indexEntries(id, record);
  const counters = counterDeltas(id, record);
  const out: PlannedWrite[] = [
    // Claim: a conditional put of the pending record, copied to GSI1 (RECENT#<year>).
    { pk: caseKey, sk: 'DETERMINATION', units: writeUnits(recordBytes, false), kind: 'record' },
    {
      pk: `GSI1:${recent.GSI1PK}`,
      sk: recent.GSI1SK,
      units: writeUnits(recordBytes, false),
      kind: 'index',
    },
  ];
  // Finish: the record turns complete (GSI1 rewritten with it) and the job is queued.
  const jobBytes = changeJobItemBytes(id, counters);
  const queue = changeJobKey(statsShard(id), '', id, '').PK;
  const ledger = laneLedgerKey(statsShard(id));
  out.push(
    { pk: caseKey, sk: 'DETERMINATION', units: writeUnits(recordBytes, true), kind: 'record' },
    {
      pk: `GSI1:${recent.GSI1PK}`,
      sk: recent.GSI1SK,
      units: writeUnits(recordBytes, false),
      kind: 'index',
    },
    { pk: queue, sk: id, units: writeUnits(jobBytes, true), kind: 'queue' },
  );
  // The lane's batch: the ledger's start and end (about 200 bytes each), the counters, the
  // entries, the job's deletion.
  out.push(
    { pk: ledger.PK, sk: ledger.SK, units: 2 * writeUnits(200, false), kind: 'queue' },
    { pk: queue, sk: id, units: writeUnits(jobBytes, false), kind: 'queue' },
  );
  for (const d of counters) {
    const bytes = itemBytes(
      toItem({ PK: d.PK, SK: d.SK, upheld: 99_999, overturned: 9_999, b: 999_999 }),
    );
    out.push({ pk: d.PK, sk: d.SK, units: writeUnits(bytes, false), kind: 'counter' });
  }
  for (const e of entries) {
    const bytes = itemBytes(toItem({ PK: e.PK, SK: e.SK, type: 'item', ...e.item }));
    out.push({ pk: e.PK, sk: e.SK, units: writeUnits(bytes, false), kind: 'entry' });
  }
  // The upload status (a conditional put, about 500 bytes) and its GSI1 copy (ORG#<org>#parsed).
  const key = `uploads/${organisation}/${id}.pdf`;
  const status = uploadKey(key);
  const org = organisationUploadsKey(organisation, 'parsed', new Date().toISOString(), key);
  const statusBytes = 520;
  out.push({ pk: status.PK, sk: status.SK, units: writeUnits(statusBytes, false), kind: 'status' });
  out.push({
    pk: `GSI1:${org.GSI1PK}`,
    sk: org.GSI1SK,
    units: writeUnits(statusBytes, false),
    kind: 'index',
  });
  return out;
}

/** A partition key with its decision year replaced: every year's partition as one. */
export function withoutYear(pk: string): string {
  return pk.replace(/#(?:\d{4})$/, '#<year>');
}

/** Sums letters' planned writes per partition. */
export class PartitionLoad {
  letters = 0;
  units = 0;
  readonly byKind = new Map<PlannedWrite['kind'], number>();
  private readonly byPartition = new Map<string, number>();

  /** Adds one letter's writes; `partitionOf` may merge partitions (e.g. `withoutYear`). */
  add(writes: readonly PlannedWrite[], partitionOf: (pk: string) => string = (pk) => pk): void {
    this.letters++;
    for (const w of writes) {
      this.units += w.units;
      this.byKind.set(w.kind, (this.byKind.get(w.kind) ?? 0) + w.units);
      const p = partitionOf(w.pk);
      this.byPartition.set(p, (this.byPartition.get(p) ?? 0) + w.units);
    }
  }

  /** The partitions taking the most write units per letter ingested. */
  hottest(n: number): { partition: string; unitsPerLetter: number; lettersPerSecond: number }[] {
    return [...this.byPartition]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([partition, units]) => {
        const unitsPerLetter = units / this.letters;
        return {
          partition,
          unitsPerLetter,
          lettersPerSecond: PARTITION_WCU_PER_SECOND / unitsPerLetter,
        };
      });
  }
}

/**
 * The item a counter update lands on in a year-packed layout: no shard in the partition key, and
 * a month's counter (M#2016-12#value) in one item per value and year (Y#2016#value).
 */
export function yearPackedCounter(d: { PK: string; SK: string }): { pk: string; sk: string } {
  const pk = d.PK.replace(/#\d+$/, '');
  return { pk, sk: d.SK.startsWith('M#') ? `Y#${d.SK.slice(2, 6)}#${d.SK.slice(10)}` : d.SK };
}

/** Write units per letter of a batch of letters in a packed layout, by what they write. */
export interface PackedUnits {
  record: number;
  status: number;
  postings: number;
  counters: number;
  total: number;
}

// Sizes of the packed layout's items besides their keys: a segment's SK (the batch it came
// from) and a year-packed counter's months (upheld and overturned for each of twelve).
const SEGMENT_SK = 'B#2026-12-03T00:00:00Z#0000';
const YEAR_COUNTER_VALUES = 24;

/**
 * Arithmetic for a layout that is not built (docs/RELIABILITY.md, "Write units per letter"): each
 * record put once, complete, with its GSI1 copy; the upload status and its GSI1 copy; the batch's
 * index entries packed as references (their sort keys) into one segment item per partition; and
 * the batch's counters summed into one item per dimension, value and year, without shards,
 * each updated once, outside a transaction. Returns units per letter of the batch.
 */
export function packedBatchUnits(
  letters: readonly {
    id: string;
    record: Determination;
    recordItem: Record<string, AttributeValue>;
  }[],
): PackedUnits {
  let record = 0;
  const postings = new Map<string, string[]>();
  const counters = new Map<string, string>();
  for (const l of letters) {
    record += 2 * writeUnits(itemBytes(l.recordItem), false);
    for (const e of indexEntries(l.id, l.record)) {
      postings.set(e.PK, [...(postings.get(e.PK) ?? []), e.SK]);
    }
    for (const d of counterDeltas(l.id, l.record)) {
      const { pk, sk } = yearPackedCounter(d);
      counters.set(`${pk}\u0000${sk}`, pk);
    }
  }
  let postingUnits = 0;
  for (const [pk, sks] of postings) {
    postingUnits += writeUnits(itemBytes(toItem({ PK: pk, SK: SEGMENT_SK, postings: sks })), false);
  }
  let counterUnits = 0;
  for (const [key, pk] of counters) {
    const sk = key.slice(key.indexOf('\u0000') + 1);
    const months = Object.fromEntries(
      Array.from({ length: YEAR_COUNTER_VALUES }, (_, i) => [`v${i}`, 99_999]),
    );
    counterUnits += writeUnits(itemBytes(toItem({ PK: pk, SK: sk, ...months })), false);
  }
  // The status (about 500 bytes, as in letterWritePlan) and its GSI1 copy.
  const status = 2 * letters.length;
  const n = letters.length;
  return {
    record: record / n,
    status: status / n,
    postings: postingUnits / n,
    counters: counterUnits / n,
    total: (record + status + postingUnits + counterUnits) / n,
  };
}
