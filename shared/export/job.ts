import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { Logger } from '../logger.ts';
import type { ExportBucket } from './bucket.ts';
import {
  fileEntrySchema,
  JOB_KEY,
  JSON_TYPE,
  parseJsonBody,
  snapshotId,
  snapshotPrefix,
  UNDATED_YEAR,
  type FileEntry,
} from './snapshots.ts';

// The export in progress (jobs/current.json; docs/EXPORTS.md, "A job that can take several
// runs"): its snapshot's name and time, the years to do and what each finished year wrote. The
// record outlives a run, so the next run continues where the last one stopped.

const JOB_FORMAT = 'imr-atlas-export-job/1';

const yearDoneSchema = z.object({
  letters: z.number().int().nonnegative(),
  items: z.number().int().nonnegative(),
  files: z.array(fileEntrySchema),
});

const totalsSchema = z.object({
  upheld: z.number().int().nonnegative(),
  overturned: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
  overturnRate: z.number().nullable(),
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
    totals: totalsSchema,
  }),
  done: z.record(z.string(), yearDoneSchema),
});

/** The export in progress. */
export type Job = z.infer<typeof jobSchema>;
/** What one finished decision year wrote. */
export type YearDone = z.infer<typeof yearDoneSchema>;
/** The statistics' counts the manifest keeps. */
export type JobTotals = z.infer<typeof totalsSchema>;

/**
 * A new job for the snapshot begun at `generatedAt`, once its statistics files are written; `years`
 * are the dated decision years the statistics list, and the undated letters come last.
 */
export function newJob(
  generatedAt: Date,
  statistics: { files: FileEntry[]; totals: JobTotals },
  years: readonly string[],
): Job {
  return {
    format: JOB_FORMAT,
    snapshot: snapshotId(generatedAt),
    generatedAt: generatedAt.toISOString(),
    runs: 1,
    years: [...[...years].sort(), UNDATED_YEAR],
    // The manifest keeps its counts; the API derives the interval from them (api/exports.ts).
    statistics: {
      files: statistics.files,
      totals: {
        upheld: statistics.totals.upheld,
        overturned: statistics.totals.overturned,
        total: statistics.totals.total,
        overturnRate: statistics.totals.overturnRate,
      },
    },
    done: {},
  };
}

/** The job in progress, or null when there is none (or it is unreadable). */
export async function readJob(bucket: ExportBucket, logger: Logger): Promise<Job | null> {
  // A failed read throws (the job stays for the next run); only an unreadable job is dropped.
  const object = await bucket.get(JOB_KEY);
  if (object === null) return null;
  const job = jobSchema.safeParse(parseJsonBody(object.body));
  if (job.success) return job.data;
  // Written by another version of this code: a new export starts over.
  logger.warn('export job unreadable, starting over', { problems: job.error.issues });
  return null;
}

/** Records the job as it stands. */
export async function saveJob(bucket: ExportBucket, job: Job): Promise<void> {
  await bucket.put(JOB_KEY, Buffer.from(JSON.stringify(job) + '\n'), JSON_TYPE);
}

/** Closes the job: the next run begins a new snapshot. */
export async function deleteJob(bucket: ExportBucket): Promise<void> {
  await bucket.delete([JOB_KEY]);
}

/**
 * The time a new snapshot begins: now, or the next second while a folder of that name exists
 * (two snapshots begun within one second would share it).
 */
export async function freeSnapshotTime(bucket: ExportBucket, now: () => Date): Promise<Date> {
  let generatedAt = now();
  const taken = async (): Promise<boolean> =>
    (await bucket.list(snapshotPrefix(snapshotId(generatedAt)))).length > 0;
  for (let tries = 0; await taken(); tries++) {
    if (tries === 5) throw new Error(`snapshot ${snapshotId(generatedAt)} already exists`);
    await sleep(1000 - (generatedAt.getTime() % 1000));
    generatedAt = now();
  }
  return generatedAt;
}
