import { randomUUID } from 'node:crypto';
import { forEachLimit } from '../concurrency.ts';
import type { Logger } from '../logger.ts';
import type { TableDeps } from '../store/index.ts';
import type { ExportBucket } from './bucket.ts';
import { exportYear, writeStatistics } from './dataset.ts';
import { deleteJob, freeSnapshotTime, newJob, readJob, saveJob, type Job } from './job.ts';
import { acquireLease, releaseLease, renewLease } from './lease.ts';
import { manifestOf, pointLatest, writeManifest } from './manifest.ts';
import { deleteSnapshotFolder, tidy } from './retention.ts';
import { DEFAULT_PART_SIZE } from './sink.ts';
import { readManifest, snapshotId, type Manifest } from './snapshots.ts';

// The order of an export's steps; each step's work is in its own module. The steps, why a redone
// year is byte for byte the same and how runs take turns: docs/EXPORTS.md, "How an export runs".

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
 * once, the export's peak memory stays under 400 MB however large the table (docs/BENCHMARKS.md, "Exports").
 */
export const DEFAULT_ROW_GROUP_SIZE = 20_000;

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
  let job = await readJob(deps.bucket, deps.logger);
  if (job !== null) {
    const written = await readManifest(deps, job.snapshot);
    if (written !== null) {
      // A run stopped between the manifest and the end: only the pointer and tidying are left.
      return finish(deps, s, written);
    }
    if (s.now().getTime() - Date.parse(job.generatedAt) > s.staleAfterMs) {
      deps.logger.warn('stale export dropped', { snapshot: job.snapshot, since: job.generatedAt });
      await deleteSnapshotFolder(deps.bucket, job.snapshot);
      await deleteJob(deps.bucket);
      job = null;
    }
  }
  if (job === null) {
    if (s.mode === 'continue') return { status: 'idle' };
    job = await startJob(deps, s, owner);
  } else {
    job.runs += 1;
    await checkpoint(deps.bucket, job, owner, s);
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
  await writeManifest(deps.bucket, manifest);
  return finish(deps, s, manifest);
}

/** After the manifest: point latest.json at it, close the job, and tidy old folders. */
async function finish(deps: ExportDeps, s: Settings, manifest: Manifest): Promise<ExportResult> {
  await pointLatest(deps.bucket, manifest);
  await deleteJob(deps.bucket);
  await tidy(deps.bucket, s.keep);
  return { status: 'complete', manifest };
}

/** Begins a snapshot: its statistics files, then the job that records them. */
async function startJob(deps: ExportDeps, s: Settings, owner: string): Promise<Job> {
  const generatedAt = await freeSnapshotTime(deps.bucket, s.now);
  const snapshot = snapshotId(generatedAt);
  try {
    const statistics = await writeStatistics(deps, snapshot, s);
    const job = newJob(generatedAt, statistics, statistics.years);
    await checkpoint(deps.bucket, job, owner, s);
    return job;
  } catch (cause) {
    throw new ExportFailedError(snapshot, 'statistics', { cause });
  }
}

/**
 * Saves the job; each save is progress, so it renews the lease too, first: a run whose lease
 * another run took over stops (LeaseLostError) before it writes over that run's job.
 */
async function checkpoint(
  bucket: ExportBucket,
  job: Job,
  owner: string,
  s: Settings,
): Promise<void> {
  await renewLease(bucket, owner, s);
  await saveJob(bucket, job);
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
    (saved = saved.catch(() => undefined).then(() => checkpoint(deps.bucket, job, owner, s)));

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
