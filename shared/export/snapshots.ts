import { z } from 'zod';
import { forEachLimit } from '../concurrency.ts';
import { STATS_BY } from '../stats/index.ts';
import type { ExportBucket } from './bucket.ts';

// The exports bucket's layout (docs/EXPORTS.md, "Layout of the exports bucket"). A snapshot is
// complete when its manifest exists, and readers go through manifests, so a half-written one is
// invisible to them.

export const SNAPSHOTS_PREFIX = 'snapshots/';
export const LATEST_KEY = 'latest.json';
export const JOB_KEY = 'jobs/current.json';
export const LOCK_KEY = 'jobs/lock.json';
const MANIFEST_FILE = 'manifest.json';

/** Content types of the bucket's objects. */
export const JSON_TYPE = 'application/json';
export const CSV_TYPE = 'text/csv; charset=utf-8';
export const PARQUET_TYPE = 'application/vnd.apache.parquet';

/** Decision year "0000" (letters without a decision date) is written as "undated". */
export const UNDATED_YEAR = '0000';

/** A snapshot's name: its generation time to the second, "2025-03-01T020000Z". */
export function snapshotId(generatedAt: Date): string {
  return generatedAt.toISOString().slice(0, 19).replace(/:/g, '') + 'Z';
}

export function snapshotPrefix(id: string): string {
  return `${SNAPSHOTS_PREFIX}${id}/`;
}

export function manifestKey(id: string): string {
  return `${snapshotPrefix(id)}${MANIFEST_FILE}`;
}

/** A snapshot file's path inside the snapshot folder. */
export const STATISTICS_JSON_PATH = 'statistics/statistics.json';
export function statisticsCsvPath(by: string): string {
  return `statistics/${by}.csv`;
}
export function itemsPath(year: string, format: 'csv' | 'parquet'): string {
  return `items/${year === UNDATED_YEAR ? 'undated' : year}.${format}`;
}

export const fileEntrySchema = z.object({
  /** Path inside the snapshot folder ("items/2016.parquet"). */
  path: z.string(),
  /** The object's key in the exports bucket. */
  key: z.string(),
  format: z.enum(['csv', 'json', 'parquet']),
  kind: z.enum(['statistics', 'items']),
  /** Statistics files: the dimension (absent for the JSON file, which holds every dimension). */
  dimension: z.enum(STATS_BY).optional(),
  /** Item files: the decision year ("0000": undated). */
  year: z.string().optional(),
  /** Data rows (CSV: without the header; JSON: statistics groups). */
  rows: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type FileEntry = z.infer<typeof fileEntrySchema>;

const totalsSchema = z.object({
  /** Determinations in the item files. */
  letters: z.number().int().nonnegative(),
  /** Rows in the item files. */
  items: z.number().int().nonnegative(),
  /** Every item, as the statistics count it (the API's totals). */
  upheld: z.number().int().nonnegative(),
  overturned: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
  overturnRate: z.number().nullable(),
});
export type SnapshotTotals = z.infer<typeof totalsSchema>;

export const MANIFEST_FORMAT = 'imr-atlas-export/1';

export const manifestSchema = z.object({
  format: z.literal(MANIFEST_FORMAT),
  snapshot: z.string(),
  /** When the snapshot began reading the table. */
  generatedAt: z.iso.datetime(),
  /** When its last file was written. */
  completedAt: z.iso.datetime(),
  /** Invocations it took (more than one when it ran out of time and was continued). */
  runs: z.number().int().positive(),
  totals: totalsSchema,
  files: z.array(fileEntrySchema),
});
export type Manifest = z.infer<typeof manifestSchema>;

export const latestSchema = z.object({
  snapshot: z.string(),
  generatedAt: z.iso.datetime(),
  manifest: z.string(),
});
export type Latest = z.infer<typeof latestSchema>;

/** A complete snapshot, as the exports page lists it. */
export interface SnapshotSummary {
  id: string;
  generatedAt: string;
  completedAt: string;
  manifestKey: string;
  /** True for the snapshot latest.json names. */
  latest: boolean;
  totals: SnapshotTotals;
  files: FileEntry[];
}

export interface SnapshotDeps {
  bucket: ExportBucket;
}

const READS_IN_FLIGHT = 8;

async function readJson<T>(
  bucket: ExportBucket,
  key: string,
  schema: z.ZodType<T>,
): Promise<T | null> {
  const object = await bucket.get(key);
  if (object === null) return null;
  return schema.parse(JSON.parse(Buffer.from(object.body).toString('utf8')));
}

/** An object's body as JSON, or null when it is not JSON (a schema then decides what it is). */
export function parseJsonBody(body: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(body).toString('utf8'));
  } catch {
    return null;
  }
}

/** The manifest of a snapshot, or null while it is incomplete (or gone). */
export function readManifest(deps: SnapshotDeps, id: string): Promise<Manifest | null> {
  return readJson(deps.bucket, manifestKey(id), manifestSchema);
}

/** What latest.json names, or null before the first complete snapshot. */
export function readLatest(deps: SnapshotDeps): Promise<Latest | null> {
  return readJson(deps.bucket, LATEST_KEY, latestSchema);
}

/** The snapshot folders in the bucket, oldest first; complete ones hold a manifest. */
export async function snapshotFolders(
  bucket: ExportBucket,
): Promise<{ id: string; complete: boolean }[]> {
  // From the keys rather than a delimited listing: s3rver leaves out folders that hold only
  // subfolders, and a snapshot's folder is a few dozen keys.
  const folders = new Map<string, boolean>();
  for (const key of await bucket.list(SNAPSHOTS_PREFIX)) {
    const slash = key.indexOf('/', SNAPSHOTS_PREFIX.length);
    if (slash <= SNAPSHOTS_PREFIX.length) continue;
    const id = key.slice(SNAPSHOTS_PREFIX.length, slash);
    folders.set(id, folders.get(id) === true || key === manifestKey(id));
  }
  return [...folders]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([id, complete]) => ({ id, complete }));
}

/** Every complete snapshot, newest first, read from their manifests. */
export async function listSnapshots(deps: SnapshotDeps): Promise<SnapshotSummary[]> {
  const [folders, latest] = await Promise.all([snapshotFolders(deps.bucket), readLatest(deps)]);
  const complete = folders.filter((f) => f.complete).map((f) => f.id);
  const found: SnapshotSummary[] = [];
  await forEachLimit(complete, READS_IN_FLIGHT, async (id) => {
    const m = await readManifest(deps, id);
    if (m === null) return;
    found.push({
      id: m.snapshot,
      generatedAt: m.generatedAt,
      completedAt: m.completedAt,
      manifestKey: manifestKey(id),
      latest: latest?.snapshot === m.snapshot,
      totals: m.totals,
      files: m.files,
    });
  });
  return found.sort(
    (a, b) => b.generatedAt.localeCompare(a.generatedAt) || b.id.localeCompare(a.id),
  );
}
