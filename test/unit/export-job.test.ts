import { describe, expect, it } from 'vitest';
import { deleteJob, freeSnapshotTime, newJob, readJob, saveJob } from '../../shared/export/job.ts';
import { JOB_KEY, snapshotPrefix, type FileEntry } from '../../shared/export/snapshots.ts';
import { createLogger } from '../../shared/logger.ts';
import { memoryBucket } from '../support/export-bucket.ts';

const GENERATED_AT = new Date('2025-03-01T02:00:00.250Z');
const FILES: FileEntry[] = [
  {
    path: 'statistics/year.csv',
    key: 'snapshots/2025-03-01T020000Z/statistics/year.csv',
    format: 'csv',
    kind: 'statistics',
    rows: 2,
    bytes: 80,
    sha256: 'b'.repeat(64),
    dimension: 'year',
  },
];
const TOTALS = {
  upheld: 7,
  overturned: 3,
  total: 10,
  overturnRate: 0.3,
  overturnRateLow: 0.1,
  overturnRateHigh: 0.6,
};

function logs(): { lines: Record<string, unknown>[]; logger: ReturnType<typeof createLogger> } {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({ level: 'debug', write: (l) => lines.push(JSON.parse(l)) });
  return { lines, logger };
}

describe('a new export job', () => {
  const job = newJob(GENERATED_AT, { files: FILES, totals: TOTALS }, ['2017', '2015', '2016']);

  it('is named by its start to the second, on its first run, with nothing done', () => {
    expect(job).toMatchObject({
      format: 'imr-atlas-export-job/1',
      snapshot: '2025-03-01T020000Z',
      generatedAt: '2025-03-01T02:00:00.250Z',
      runs: 1,
      done: {},
    });
  });

  it('does the dated years in order, then the undated letters', () => {
    expect(job.years).toEqual(['2015', '2016', '2017', '0000']);
  });

  it('keeps the statistics files and only the counts of their totals', () => {
    expect(job.statistics).toEqual({
      files: FILES,
      totals: { upheld: 7, overturned: 3, total: 10, overturnRate: 0.3 },
    });
  });
});

describe('the saved job', () => {
  it('reads back as saved, and is gone once deleted', async () => {
    const bucket = memoryBucket();
    const { logger } = logs();
    const job = newJob(GENERATED_AT, { files: FILES, totals: TOTALS }, ['2016']);
    job.done['2016'] = { letters: 1, items: 0, files: [] };
    await saveJob(bucket, job);
    expect(await readJob(bucket, logger)).toEqual(job);
    await deleteJob(bucket);
    expect(await readJob(bucket, logger)).toBeNull();
  });

  it('is dropped, with a warning, when another version of the code wrote it', async () => {
    const bucket = memoryBucket();
    const { lines, logger } = logs();
    await bucket.put(
      JOB_KEY,
      Buffer.from('{"format":"imr-atlas-export-job/0"}'),
      'application/json',
    );
    expect(await readJob(bucket, logger)).toBeNull();
    expect(lines.map((l) => l['message'])).toEqual(['export job unreadable, starting over']);
  });

  it('is dropped when it is not JSON', async () => {
    const bucket = memoryBucket();
    await bucket.put(JOB_KEY, Buffer.from('{"format'), 'application/json');
    expect(await readJob(bucket, logs().logger)).toBeNull();
  });
});

describe('the time a new snapshot begins', () => {
  const ticks = (...iso: string[]): (() => Date) => {
    const times = iso.map((t) => new Date(t));
    return () => times.shift() ?? new Date(iso[iso.length - 1]!);
  };

  it('is now when no folder has its name', async () => {
    const bucket = memoryBucket();
    expect(await freeSnapshotTime(bucket, ticks('2025-03-01T02:00:00.999Z'))).toEqual(
      new Date('2025-03-01T02:00:00.999Z'),
    );
  });

  it('waits for the next second while the folder of its name exists', async () => {
    const bucket = memoryBucket();
    await bucket.put(
      `${snapshotPrefix('2025-03-01T020000Z')}statistics/year.csv`,
      Buffer.from(''),
      'text/csv',
    );
    const now = ticks('2025-03-01T02:00:00.999Z', '2025-03-01T02:00:01.000Z');
    expect(await freeSnapshotTime(bucket, now)).toEqual(new Date('2025-03-01T02:00:01.000Z'));
  });

  it('gives up when the name stays taken', async () => {
    const bucket = memoryBucket();
    await bucket.put(
      `${snapshotPrefix('2025-03-01T020000Z')}manifest.json`,
      Buffer.from('{}'),
      'application/json',
    );
    await expect(freeSnapshotTime(bucket, ticks('2025-03-01T02:00:00.999Z'))).rejects.toThrow(
      'snapshot 2025-03-01T020000Z already exists',
    );
  });
});
