// shared/export: the statistics exports: datasets, files, snapshots and the export job.
// Its public entry: code outside the folder imports from here (tests may reach any module).

export { s3ExportBucket } from './bucket.ts';
export type { ExportBucket } from './bucket.ts';
export { loadExportConfig } from './config.ts';
export { DEFAULT_ROW_GROUP_SIZE, runExport } from './run.ts';
export type { ExportDeps, ExportOptions, ExportResult } from './run.ts';
export { LATEST_KEY, SNAPSHOTS_PREFIX, listSnapshots } from './snapshots.ts';
export type { Manifest } from './snapshots.ts';
