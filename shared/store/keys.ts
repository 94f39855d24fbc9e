import { createHash } from 'node:crypto';

// The one module that knows the table's key formats (docs/DATA-MODEL.md). Everything else asks
// here for a key; nothing else builds a PK, SK or GSI1 string.

/** Number of partitions each statistics counter is spread over (see DATA-MODEL.md, hot keys). */
export const STATS_SHARDS = 4;

/** Dimensions an item is indexed under for "items by ..." lookups. */
export const INDEX_DIMENSIONS = [
  'all',
  'category',
  'subcategory',
  'drug',
  'bodyRegion',
  'specialty',
  'term',
] as const;
export type IndexDimension = (typeof INDEX_DIMENSIONS)[number];

/** The single value of the `all` index (every item) and of the `total` counters. */
export const ALL_VALUE = '*';

/** Dimensions statistics are counted by; `total` has the single value "*". */
export const STATS_DIMENSIONS = [
  'total',
  'category',
  'subcategory',
  'drug',
  'specialty',
  'citationSource',
  'citation',
  'bodyRegion',
] as const;
export type StatsDimension = (typeof STATS_DIMENSIONS)[number];

/** Decision dates absent from a letter sort after every real date when newest comes first. */
export const UNDATED_YEAR = '0000';
const UNDATED_DATE = '0000-00-00';

// A value chosen by a letter (a drug, a specialty) may contain the separator; escape it so no
// value can reach into the next key segment.
function part(value: string): string {
  return value.replace(/%/g, '%25').replace(/#/g, '%23');
}

/** Reverses part(): the value a key segment was built from. */
export function unpart(segment: string): string {
  return segment.replace(/%23/g, '#').replace(/%25/g, '%');
}

export interface Key {
  PK: string;
  SK: string;
}

/** A determination's identity: its case number, or for a letter that names none, its content. */
export function caseId(caseNumber: string | null, contentHash: string): string {
  return caseNumber ?? `X-${contentHash.slice(0, 16)}`;
}

/** The case a determination's partition key belongs to. */
export function caseIdOfKey(pk: string): string {
  return unpart(pk.replace(/^CASE#/, ''));
}

/** The determination record of a case. */
export function determinationKey(id: string): Key {
  return { PK: `CASE#${part(id)}`, SK: 'DETERMINATION' };
}

/** Recent determinations, newest first: one GSI1 partition per decision year. */
export function recentKey(
  id: string,
  decisionDate: string | null,
): { GSI1PK: string; GSI1SK: string } {
  return {
    GSI1PK: recentPartition(yearOf(decisionDate)),
    GSI1SK: `${decisionDate ?? UNDATED_DATE}#${part(id)}`,
  };
}

/** The GSI1 partition of one decision year's determinations ("0000": undated). */
export function recentPartition(year: string): string {
  return `RECENT#${year}`;
}

/**
 * A copy of a case held beside its public record: one item per upload key that sent the case
 * (DATA-MODEL.md, "Provenance"). An S3 key may be 1,024 bytes, so a digest stands for it.
 */
export function heldCopyKey(id: string, organisation: string, sourceKey: string): Key {
  return {
    PK: `CASE#${part(id)}`,
    SK: `${heldCopyOrganisationPrefix(organisation)}${createHash('sha256').update(sourceKey).digest('hex').slice(0, 24)}`,
  };
}

/** Sort-key prefix of a case's held copies, and of one organisation's among them. */
export const HELD_PREFIX = 'HELD#';
export function heldCopyOrganisationPrefix(organisation: string): string {
  return `${HELD_PREFIX}${part(organisation)}#`;
}

/** GSI1 keys listing every open conflict, oldest first. */
export function openConflictKey(
  id: string,
  organisation: string,
  updatedAt: string,
): { GSI1PK: string; GSI1SK: string } {
  return {
    GSI1PK: OPEN_CONFLICTS_PARTITION,
    GSI1SK: `${updatedAt}#${part(id)}#${part(organisation)}`,
  };
}

export const OPEN_CONFLICTS_PARTITION = 'CONFLICTS';

/** The case key of a stored key (`CASE#<id>`), for lookups by partition. */
export function casePartition(id: string): string {
  return `CASE#${part(id)}`;
}

/**
 * A completed version's changes to counters and index entries, queued for its lane's applier
 * (`apply-queue.ts`): one item per version, in the lane its counters belong to.
 */
export function changeJobKey(lane: number, queuedAt: string, id: string, claim: string): Key {
  return { PK: changeQueuePartition(lane), SK: `${queuedAt}#${part(id)}#${claim}` };
}

export function changeQueuePartition(lane: number): string {
  return `QUEUE#${lane}`;
}

/** A job of a lane that could not be applied, kept aside for an operator (its queue key as SK). */
export function setAsideKey(lane: number, jobSortKey: string): Key {
  return { PK: `QUEUE-ASIDE#${lane}`, SK: jobSortKey };
}

/** A lane's ledger: the number of its last batch and the jobs that batch is applying. */
export function laneLedgerKey(lane: number): Key {
  return { PK: `LANE#${lane}`, SK: 'LEDGER' };
}

/**
 * Sort-key prefix of the chunk markers (`OP#<claim>#<chunk>`) that the previous release wrote in
 * a case's partition while a version was pending; read only to complete such a version.
 */
export function legacyMarkerPrefix(claim: string): string {
  return `OP#${claim}#`;
}

export function yearOf(date: string | null): string {
  return date === null ? UNDATED_YEAR : date.slice(0, 4);
}

export function monthOf(date: string | null): string | null {
  return date === null ? null : date.slice(0, 7);
}

/** An item's index entry under one dimension value (items by category, by drug, ...). */
export function indexEntryKey(
  dimension: IndexDimension,
  value: string,
  entry: { decision: string; decisionDate: string | null; caseId: string; ordinal: number },
): Key {
  return {
    PK: indexPartition(dimension, value, yearOf(entry.decisionDate)),
    SK: indexSortKey(entry.decision, entry.decisionDate, entry.caseId, entry.ordinal),
  };
}

/** One index partition: a dimension value's items decided in one year. */
export function indexPartition(dimension: IndexDimension, value: string, year: string): string {
  return `IX#${dimension}#${part(value)}#${year}`;
}

/**
 * Sort key of an index entry: decision first so one decision is a key range, then the date so a
 * range is newest first when read backwards.
 */
export function indexSortKey(
  decision: string,
  decisionDate: string | null,
  id: string,
  ordinal: number,
): string {
  return `${decision}#${decisionDate ?? UNDATED_DATE}#${part(id)}#${String(ordinal).padStart(3, '0')}`;
}

/** Bounds of an index partition's sort keys for one decision between two dates (inclusive). */
export function indexSortRange(
  decision: string,
  from: string | null,
  to: string | null,
): { low: string; high: string } {
  return { low: `${decision}#${from ?? UNDATED_DATE}`, high: `${decision}#${to ?? '9999-99-99'}~` };
}

/** The value a statistics counter groups by, scoped to a category where the read needs it. */
export function statsPartition(
  dimension: StatsDimension,
  shard: number,
  category?: string,
): string {
  const scope = category === undefined ? '' : `@${part(category)}`;
  return `STATS#${dimension}${scope}#${shard}`;
}

/** Shard of a case's counters: all of one letter's counters land in one shard. */
export function statsShard(id: string): number {
  let h = 0;
  for (let i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) >>> 0;
  return h % STATS_SHARDS;
}

/** Counter of all time (`month` null) or of one month ("2016-12"). */
export function statsSortKey(value: string, month: string | null): string {
  return month === null ? `A#${part(value)}` : `M#${month}#${part(value)}`;
}

/** Reads a counter's sort key back into its month (null: all time) and value. */
export function parseStatsSortKey(sk: string): { month: string | null; value: string } | null {
  const all = /^A#(.*)$/s.exec(sk);
  if (all) return { month: null, value: unpart(all[1]!) };
  const monthly = /^M#(\d{4}-\d{2})#(.*)$/s.exec(sk);
  if (monthly) return { month: monthly[1]!, value: unpart(monthly[2]!) };
  return null;
}

/** Sort-key prefix of all-time counters, and the range of monthly counters between two months. */
export const STATS_ALL_TIME_PREFIX = 'A#';
export function statsMonthRange(from: string, to: string): { low: string; high: string } {
  return { low: `M#${from}`, high: `M#${to}~` };
}

/** An upload's status, by its bucket key. */
export function uploadKey(objectKey: string): Key {
  return { PK: `UPLOAD#${objectKey}`, SK: 'UPLOAD' };
}

/** GSI1 keys listing an organisation's uploads with one status, newest first. */
export function organisationUploadsKey(
  organisation: string,
  status: string,
  updatedAt: string,
  objectKey: string,
): { GSI1PK: string; GSI1SK: string } {
  return {
    GSI1PK: organisationUploadsPartition(organisation, status),
    // An S3 key may be 1,024 bytes, the limit of a whole sort key: a digest keeps it unique.
    GSI1SK: `${updatedAt}#${createHash('sha256').update(objectKey).digest('hex').slice(0, 20)}`,
  };
}

export function organisationUploadsPartition(organisation: string, status: string): string {
  return `ORG#${part(organisation)}#${status}`;
}

/**
 * Bounds of the GSI1 sort keys of uploads recorded between two times (inclusive), each an ISO
 * prefix: a day ("2024-05-01") or a full timestamp. The sort key starts with the ISO `updatedAt`,
 * and "~" sorts after every character an ISO time or the "#" after it can hold.
 */
export function organisationUploadsTimeRange(
  from: string,
  to: string,
): { low: string; high: string } {
  return { low: from, high: `${to}~` };
}
