import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { forEachLimit } from '../concurrency.ts';
import type { Logger } from '../logger.ts';
import type { TableDeps } from '../store/determinations.ts';
import { determinationsOfYear } from '../store/year-determinations.ts';
import type { ExportBucket } from './bucket.ts';
import { itemCsvHeader, itemCsvLine, ItemParquetWriter, itemRows } from './items.ts';
import { DEFAULT_PART_SIZE, FileSink, type WrittenFile } from './sink.ts';
import { acquireLease, releaseLease, renewLease } from './lease.ts';
import { deleteSnapshotFolder, tidy } from './retention.ts';
import {
  CSV_TYPE,
  fileEntrySchema,
  itemsPath,
  JOB_KEY,
  JSON_TYPE,
  LATEST_KEY,
  MANIFEST_FORMAT,
  manifestKey,
  PARQUET_TYPE,
  parseJsonBody,
  readLatest,
  readManifest,
  snapshotId,
  snapshotPrefix,
  STATISTICS_JSON_PATH,
  statisticsCsvPath,
  UNDATED_YEAR,
  type FileEntry,
  type Manifest,
} from './snapshots.ts';
import { allStatistics, statisticsCsv, statisticsJson } from './statistics-files.ts';

// One export is a job that may take several runs (README, "Statistics exports"):
//
// 1. Start: read every dimension's statistics, write the statistics files, and save the job
//    (jobs/current.json): the snapshot's name and time and the decision years to export.
// 2. Years: each year's determinations are read through their GSI1 partition (a few years at
//    once) and written as one CSV and one Parquet file, streamed to S3 in parts. A finished year
//    is recorded in the job at once. When the time budget runs out, years in progress are
//    dropped and the run returns "incomplete"; the next run does the years left.
// 3. Finish: the manifest (last file of the snapshot), then latest.json, then the job is
//    deleted and old snapshots beyond `keep`, and folders no manifest completed, are removed.
//
// Every file of a year is a pure function of the table's content, so a year redone after a
// failure or a stop is byte for byte what an uninterrupted run would have written. A run that
// throws leaves the job and latest.json as they were: the previous snapshot stays the latest
// and the next run continues. Runs take turns through a lease (jobs/lock.json); on AWS the
// function's reserved concurrency of 1 is what keeps them apart, the lease covers local use
// (npm start's schedule and `imr export` at once).

export interface ExportDeps {
  table: TableDeps;
  bucket: ExportBucket;
  logger: Logger;
}

export interface ExportProgress {
  snapshot: string;
  year: string;
  letters: number;
  items: number;
  yearsDone: number;
  years: number;
}

export interface ExportOptions {
  /**
   * `start` (default): continue the export in progress, or begin a new snapshot when there is
   * none. `continue`: only continue one in progress (the frequent tick that finishes long jobs).
   */
  mode?: 'start' | 'continue';
  /** Milliseconds left for work; at 0 the run stops and saves its progress (default: no limit). */
  timeLeft?: () => number;
  now?: () => Date;
  /** Decision years read and written at once (default 3). */
  concurrency?: number;
  /** Rows per Parquet row group (default 20,000): the most rows held in memory per year. */
  rowGroupSize?: number;
  /** Bytes per multipart upload part (default 8 MiB; S3 needs at least 5 MiB). */
  partSize?: number;
  /** Complete snapshots kept (default 30); older ones are deleted, never the latest. */
  keep?: number;
  /** An export still unfinished after this long is dropped and started over (default 24 h). */
  staleAfterMs?: number;
  /** How long a run's lease holds without renewal (default 15 min, Lambda's longest run). */
  leaseMs?: number;
  onProgress?: (progress: ExportProgress) => void;
}

export type ExportResult =
  | { status: 'complete'; manifest: Manifest }
  | { status: 'incomplete'; snapshot: string; yearsDone: number; years: number }
  /** `continue` with no export in progress. */
  | { status: 'idle' }
  /** Another run holds the lease. */
  | { status: 'busy' };

/** A year (or the start) of an export failed; the job keeps what was done before. */
export class ExportFailedError extends Error {
  override readonly name = 'ExportFailedError';

  constructor(
    readonly snapshot: string,
    readonly step: string,
    options: { cause: unknown },
  ) {
    super(
      `export ${snapshot} failed at ${step}: ${options.cause instanceof Error ? options.cause.message : String(options.cause)}`,
      options,
    );
  }
}

/**
 * Rows per Parquet row group, and so the most rows a year in progress holds: with three years at
 * once, the export's peak memory stays under 400 MB however large the table (README, benchmark).
 */
export const DEFAULT_ROW_GROUP_SIZE = 20_000;

const JOB_FORMAT = 'imr-atlas-export-job/1';

const yearDoneSchema = z.object({
  letters: z.number().int().nonnegative(),
  items: z.number().int().nonnegative(),
  files: z.array(fileEntrySchema),
});

const jobSchema = z.object({
  format: z.literal(JOB_FORMAT),
  snapshot: z.string(),
  generatedAt: z.iso.datetime(),
  runs: z.number().int().positive(),
  /** Decision years to export ("0000": undated), in file order. */
  years: z.array(z.string()),
  statistics: z.object({
    files: z.array(fileEntrySchema),
    totals: z.object({
      upheld: z.number().int().nonnegative(),
      overturned: z.number().int().nonnegative(),
      total: z.number().int().nonnegative(),
      overturnRate: z.number().nullable(),
    }),
  }),
  done: z.record(z.string(), yearDoneSchema),
});
type Job = z.infer<typeof jobSchema>;
type YearDone = z.infer<typeof yearDoneSchema>;

interface Settings {
  mode: 'start' | 'continue';
  timeLeft: () => number;
  now: () => Date;
  concurrency: number;
  rowGroupSize: number;
  partSize: number;
  keep: number;
  staleAfterMs: number;
  leaseMs: number;
  onProgress: (progress: ExportProgress) => void;
}

function settings(o: ExportOptions): Settings {
  return {
    mode: o.mode ?? 'start',
    timeLeft: o.timeLeft ?? (() => Infinity),
    now: o.now ?? (() => new Date()),
    concurrency: o.concurrency ?? 3,
    rowGroupSize: o.rowGroupSize ?? DEFAULT_ROW_GROUP_SIZE,
    partSize: o.partSize ?? DEFAULT_PART_SIZE,
    keep: o.keep ?? 30,
    staleAfterMs: o.staleAfterMs ?? 24 * 60 * 60 * 1000,
    leaseMs: o.leaseMs ?? 15 * 60 * 1000,
    onProgress: o.onProgress ?? (() => undefined),
  };
}

/**
 * Runs the statistics export: begins a snapshot or continues the one in progress, and within the
 * time budget writes what is left; a finished snapshot becomes the latest.
 */
export async function runExport(
  deps: ExportDeps,
  options: ExportOptions = {},
): Promise<ExportResult> {
  const s = settings(options);
  const owner = randomUUID();
  if (!(await acquireLease(deps.bucket, owner, s))) return { status: 'busy' };
  try {
    return await runLeased(deps, s, owner);
  } finally {
    await releaseLease(deps.bucket, owner).catch((error: unknown) =>
      deps.logger.warn('export lease not released', { error }),
    );
  }
}

async function runLeased(deps: ExportDeps, s: Settings, owner: string): Promise<ExportResult> {
  let job = await readJob(deps);
  if (job !== null) {
    const written = await readManifest(deps, job.snapshot);
    if (written !== null) {
      // A run stopped between the manifest and the end: only the pointer and tidying are left.
      return finish(deps, s, written);
    }
    if (s.now().getTime() - Date.parse(job.generatedAt) > s.staleAfterMs) {
      deps.logger.warn('stale export dropped', { snapshot: job.snapshot, since: job.generatedAt });
      await deleteSnapshotFolder(deps.bucket, job.snapshot);
      await deps.bucket.delete([JOB_KEY]);
      job = null;
    }
  }
  if (job === null) {
    if (s.mode === 'continue') return { status: 'idle' };
    job = await startJob(deps, s, owner);
  } else {
    job.runs += 1;
    await saveJob(deps.bucket, job, owner, s);
  }
  const finished = await exportYears(deps, s, job, owner);
  if (!finished) {
    return {
      status: 'incomplete',
      snapshot: job.snapshot,
      yearsDone: Object.keys(job.done).length,
      years: job.years.length,
    };
  }
  const manifest = manifestOf(job, s.now());
  await deps.bucket.put(
    manifestKey(job.snapshot),
    Buffer.from(JSON.stringify(manifest, null, 2) + '\n'),
    JSON_TYPE,
  );
  return finish(deps, s, manifest);
}

/** After the manifest: point latest.json at it, close the job, and tidy old folders. */
async function finish(deps: ExportDeps, s: Settings, manifest: Manifest): Promise<ExportResult> {
  const latest = await readLatest(deps).catch(() => null);
  // A snapshot finished late (a stale job's retry) must not hide a newer one.
  if (latest === null || latest.generatedAt <= manifest.generatedAt) {
    const pointer = {
      snapshot: manifest.snapshot,
      generatedAt: manifest.generatedAt,
      manifest: manifestKey(manifest.snapshot),
    };
    await deps.bucket.put(
      LATEST_KEY,
      Buffer.from(JSON.stringify(pointer, null, 2) + '\n'),
      JSON_TYPE,
    );
  }
  await deps.bucket.delete([JOB_KEY]);
  await tidy(deps.bucket, s.keep);
  return { status: 'complete', manifest };
}

async function readJob(deps: ExportDeps): Promise<Job | null> {
  // A failed read throws (the job stays for the next run); only an unreadable job is dropped.
  const object = await deps.bucket.get(JOB_KEY);
  if (object === null) return null;
  const job = jobSchema.safeParse(parseJsonBody(object.body));
  if (job.success) return job.data;
  // Written by another version of this code: a new export starts over.
  deps.logger.warn('export job unreadable, starting over', { problems: job.error.issues });
  return null;
}

async function saveJob(bucket: ExportBucket, job: Job, owner: string, s: Settings): Promise<void> {
  await bucket.put(JOB_KEY, Buffer.from(JSON.stringify(job) + '\n'), JSON_TYPE);
  await renewLease(bucket, owner, s);
}

async function startJob(deps: ExportDeps, s: Settings, owner: string): Promise<Job> {
  let generatedAt = s.now();
  // Two snapshots begun within one second would share a folder: the second waits for the next.
  const taken = async (): Promise<boolean> =>
    (await deps.bucket.list(snapshotPrefix(snapshotId(generatedAt)))).length > 0;
  for (let tries = 0; await taken(); tries++) {
    if (tries === 5) throw new Error(`snapshot ${snapshotId(generatedAt)} already exists`);
    await sleep(1000 - (generatedAt.getTime() % 1000));
    generatedAt = s.now();
  }
  const snapshot = snapshotId(generatedAt);
  try {
    const results = await allStatistics(deps.table);
    const files: FileEntry[] = [];
    for (const result of results) {
      const path = statisticsCsvPath(result.by);
      const written = await writeText(
        deps.bucket,
        snapshot,
        path,
        statisticsCsv(result),
        CSV_TYPE,
        s,
      );
      files.push({
        ...entry(written, path, 'csv', 'statistics', result.groups.length),
        dimension: result.by,
      });
    }
    const json = await writeText(
      deps.bucket,
      snapshot,
      STATISTICS_JSON_PATH,
      statisticsJson(results),
      JSON_TYPE,
      s,
    );
    const groups = results.reduce((n, r) => n + r.groups.length, 0);
    files.push(entry(json, STATISTICS_JSON_PATH, 'json', 'statistics', groups));
    const years = results.find((r) => r.by === 'year')?.groups.map((g) => g.key) ?? [];
    const totals = results.find((r) => r.by === 'category')?.totals;
    if (totals === undefined) throw new Error('statistics by category were not read');
    const job: Job = {
      format: JOB_FORMAT,
      snapshot,
      generatedAt: generatedAt.toISOString(),
      runs: 1,
      years: [...years.sort(), UNDATED_YEAR],
      // The manifest keeps its counts; the API derives the interval from them (api/exports.ts).
      statistics: {
        files,
        totals: {
          upheld: totals.upheld,
          overturned: totals.overturned,
          total: totals.total,
          overturnRate: totals.overturnRate,
        },
      },
      done: {},
    };
    await saveJob(deps.bucket, job, owner, s);
    return job;
  } catch (cause) {
    throw new ExportFailedError(snapshot, 'statistics', { cause });
  }
}

async function writeText(
  bucket: ExportBucket,
  snapshot: string,
  path: string,
  text: string,
  contentType: string,
  s: Settings,
): Promise<WrittenFile> {
  const sink = new FileSink(bucket, snapshotPrefix(snapshot) + path, contentType, s.partSize);
  await sink.write(Buffer.from(text, 'utf8'));
  return sink.close();
}

function entry(
  written: WrittenFile,
  path: string,
  format: FileEntry['format'],
  kind: FileEntry['kind'],
  rows: number,
): FileEntry {
  return {
    path,
    key: written.key,
    format,
    kind,
    rows,
    bytes: written.bytes,
    sha256: written.sha256,
  };
}

/** Exports the years not done yet; true when every year is done, false when time ran out. */
async function exportYears(
  deps: ExportDeps,
  s: Settings,
  job: Job,
  owner: string,
): Promise<boolean> {
  const todo = job.years.filter((y) => job.done[y] === undefined);
  let failure: ExportFailedError | null = null;
  const stop = (): boolean => failure !== null || s.timeLeft() <= 0;
  // Saves go one after another, each with every year finished so far.
  let saved: Promise<void> = Promise.resolve();
  const save = (): Promise<void> =>
    (saved = saved.catch(() => undefined).then(() => saveJob(deps.bucket, job, owner, s)));

  await forEachLimit(todo, s.concurrency, async (year) => {
    if (stop()) return;
    try {
      const done = await exportYear(deps, s, job.snapshot, year, stop);
      if (done === null) return;
      job.done[year] = done;
      await save();
      s.onProgress({
        snapshot: job.snapshot,
        year,
        letters: done.letters,
        items: done.items,
        yearsDone: Object.keys(job.done).length,
        years: job.years.length,
      });
    } catch (cause) {
      failure ??= new ExportFailedError(job.snapshot, `year ${year}`, { cause });
    }
  });
  if (failure !== null) throw failure;
  return job.years.every((y) => job.done[y] !== undefined);
}

/**
 * One decision year as a CSV and a Parquet file, from one read of its determinations; null
 * when `stop` said to stop first (nothing of it is kept).
 */
async function exportYear(
  deps: ExportDeps,
  s: Settings,
  snapshot: string,
  year: string,
  stop: () => boolean,
): Promise<YearDone | null> {
  const prefix = snapshotPrefix(snapshot);
  const csvPath = itemsPath(year, 'csv');
  const parquetPath = itemsPath(year, 'parquet');
  const csv = new FileSink(deps.bucket, prefix + csvPath, CSV_TYPE, s.partSize);
  const parquet = new ItemParquetWriter(
    new FileSink(deps.bucket, prefix + parquetPath, PARQUET_TYPE, s.partSize),
    s.rowGroupSize,
  );
  const drop = (): Promise<unknown> => Promise.all([csv.abort(), parquet.abort()]);
  let letters = 0;
  try {
    await csv.write(Buffer.from(itemCsvHeader(), 'utf8'));
    for await (const page of determinationsOfYear(deps.table, year)) {
      if (stop()) {
        await drop();
        return null;
      }
      const rows = page.flatMap((d) => itemRows(d.caseId, d.record));
      letters += page.length;
      if (rows.length === 0) continue;
      await csv.write(Buffer.from(rows.map(itemCsvLine).join(''), 'utf8'));
      await parquet.add(rows);
    }
    const items = parquet.rows;
    if (items === 0) {
      // A year without items (usually: no undated letters) has no files.
      await drop();
      return { letters, items, files: [] };
    }
    const csvWritten = await csv.close();
    const parquetWritten = await parquet.close();
    return {
      letters,
      items,
      files: [
        { ...entry(csvWritten, csvPath, 'csv', 'items', items), year },
        { ...entry(parquetWritten, parquetPath, 'parquet', 'items', items), year },
      ],
    };
  } catch (e) {
    await drop();
    throw e;
  }
}

function manifestOf(job: Job, completedAt: Date): Manifest {
  const years = job.years.map((y) => job.done[y]).filter((d) => d !== undefined);
  return {
    format: MANIFEST_FORMAT,
    snapshot: job.snapshot,
    generatedAt: job.generatedAt,
    completedAt: completedAt.toISOString(),
    runs: job.runs,
    totals: {
      letters: years.reduce((n, y) => n + y.letters, 0),
      items: years.reduce((n, y) => n + y.items, 0),
      ...job.statistics.totals,
    },
    files: [...job.statistics.files, ...years.flatMap((y) => y.files)],
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
