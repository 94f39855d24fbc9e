// shared/store: the DynamoDB table (keys, items, the write protocol and its queries).
// Its public entry: code outside the folder imports from here (tests may reach any module).

export { fromItem, toItem } from './attributes.ts';
export {
  MIN_BATCH_INTERVAL_MS,
  applyAllQueued,
  encodeChanges,
  oldestQueued,
  setAsideCount,
} from './apply-queue.ts';
export type { ApplyOutcome, ApplyQueueOptions } from './apply-queue.ts';
export {
  SCOPED_DIMENSIONS,
  counterDeltas,
  indexEntries,
  mergeDeltas,
  subcategoryValue,
} from './contribution.ts';
export type { CounterDelta, ItemSummary } from './contribution.ts';
export {
  acceptConflict,
  keepPublished,
  putDetermination,
  removeDetermination,
  WRITER_APPLY_MS,
} from './determinations.ts';
export type { Settlement, WriteOutcome, WriteRequestInput } from './determinations.ts';
export {
  ALL_VALUE,
  STATS_ALL_TIME_PREFIX,
  STATS_SHARDS,
  UNDATED_YEAR,
  caseId,
  caseIdOfKey,
  changeJobKey,
  determinationKey,
  indexPartition,
  laneLedgerKey,
  organisationUploadsKey,
  recentKey,
  recentPartition,
  statsPartition,
  statsShard,
  uploadKey,
} from './keys.ts';
export type { IndexDimension, StatsDimension } from './keys.ts';
export { queryPages } from './paging.ts';
export { dropHeld, getConflict, listConflicts } from './provenance.ts';
export type { Conflict } from './provenance.ts';
export {
  itemSummarySchema,
  pingTable,
  readDetermination,
  readIndexPage,
  readRecentPage,
  readTallies,
} from './queries.ts';
export type { IndexEntryRead } from './queries.ts';
export { RecordTooLargeError } from './record-codec.ts';
export { readStats } from './stats.ts';
export type { Tally } from './stats.ts';
export { entryItem, storedItem } from './stored-determination.ts';
export type { StoredDetermination } from './stored-determination.ts';
export { GSI1, PARTITION_KEY, SORT_KEY, createTableInput } from './table.ts';
export type { TableDeps } from './table.ts';
export {
  getUpload,
  getUploads,
  listOrganisationUploadsBetween,
  putUpload,
  uploadRecordSchema,
  uploadStatusSchema,
} from './uploads.ts';
export type { UploadRecord } from './uploads.ts';
export { determinationsOfYear } from './year-determinations.ts';
