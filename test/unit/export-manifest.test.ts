import { describe, expect, it } from 'vitest';
import type { Job, YearDone } from '../../shared/export/job.ts';
import { manifestOf, pointLatest, writeManifest } from '../../shared/export/manifest.ts';
import {
  LATEST_KEY,
  manifestKey,
  manifestSchema,
  readLatest,
  readManifest,
  type FileEntry,
  type Manifest,
} from '../../shared/export/snapshots.ts';
import { memoryBucket } from '../support/export-bucket.ts';

const SNAPSHOT = '2025-03-01T020000Z';
const SHA = 'a'.repeat(64);

function file(path: string, rows: number, extra: Partial<FileEntry> = {}): FileEntry {
  return {
    path,
    key: `snapshots/${SNAPSHOT}/${path}`,
    format: path.endsWith('.parquet') ? 'parquet' : path.endsWith('.json') ? 'json' : 'csv',
    kind: path.startsWith('items/') ? 'items' : 'statistics',
    rows,
    bytes: rows * 10,
    sha256: SHA,
    ...extra,
  };
}

function year(y: string, letters: number, items: number): YearDone {
  const name = y === '0000' ? 'undated' : y;
  return {
    letters,
    items,
    files:
      items === 0
        ? []
        : [
            file(`items/${name}.csv`, items, { year: y }),
            file(`items/${name}.parquet`, items, { year: y }),
          ],
  };
}

const JOB: Job = {
  format: 'imr-atlas-export-job/1',
  snapshot: SNAPSHOT,
  generatedAt: '2025-03-01T02:00:00.000Z',
  runs: 2,
  years: ['2016', '2017', '0000'],
  statistics: {
    files: [
      file('statistics/category.csv', 4, { dimension: 'category' }),
      file('statistics/statistics.json', 4),
    ],
    totals: { upheld: 7, overturned: 3, total: 10, overturnRate: 0.3 },
  },
  // Finished out of order, as years done a few at once are.
  done: { '0000': year('0000', 1, 0), '2017': year('2017', 3, 4), '2016': year('2016', 5, 6) },
};

describe('the manifest of a finished job', () => {
  const manifest = manifestOf(JOB, new Date('2025-03-01T02:05:00Z'));

  it('lists the statistics files, then the item files in year order', () => {
    expect(manifest.files.map((f) => f.path)).toEqual([
      'statistics/category.csv',
      'statistics/statistics.json',
      'items/2016.csv',
      'items/2016.parquet',
      'items/2017.csv',
      'items/2017.parquet',
    ]);
  });

  it('sums the years’ letters and items, beside the statistics’ counts', () => {
    expect(manifest.totals).toEqual({
      letters: 9,
      items: 10,
      upheld: 7,
      overturned: 3,
      total: 10,
      overturnRate: 0.3,
    });
  });

  it('names the snapshot, its times and its runs, and is valid as written', () => {
    expect(manifest).toMatchObject({
      format: 'imr-atlas-export/1',
      snapshot: SNAPSHOT,
      generatedAt: '2025-03-01T02:00:00.000Z',
      completedAt: '2025-03-01T02:05:00.000Z',
      runs: 2,
    });
    expect(manifestSchema.parse(manifest)).toEqual(manifest);
    // Key order is part of the bytes a snapshot's manifest holds.
    expect(Object.keys(manifest)).toEqual([
      'format',
      'snapshot',
      'generatedAt',
      'completedAt',
      'runs',
      'totals',
      'files',
    ]);
  });

  it('is written where readers look for it, as indented JSON', async () => {
    const bucket = memoryBucket();
    await writeManifest(bucket, manifest);
    const object = await bucket.get(manifestKey(SNAPSHOT));
    expect(Buffer.from(object!.body).toString('utf8')).toBe(
      JSON.stringify(manifest, null, 2) + '\n',
    );
    expect(await readManifest({ bucket }, SNAPSHOT)).toEqual(manifest);
  });
});

function manifestAt(snapshot: string, generatedAt: string): Manifest {
  return { ...manifestOf(JOB, new Date(generatedAt)), snapshot, generatedAt };
}

describe('latest.json', () => {
  const older = manifestAt('2025-03-01T020000Z', '2025-03-01T02:00:00.000Z');
  const newer = manifestAt('2025-03-02T020000Z', '2025-03-02T02:00:00.000Z');

  it('names the first snapshot finished', async () => {
    const bucket = memoryBucket();
    await pointLatest(bucket, older);
    const object = await bucket.get(LATEST_KEY);
    expect(Buffer.from(object!.body).toString('utf8')).toBe(
      JSON.stringify(
        {
          snapshot: older.snapshot,
          generatedAt: older.generatedAt,
          manifest: manifestKey(older.snapshot),
        },
        null,
        2,
      ) + '\n',
    );
  });

  it('moves to a newer snapshot, and never back to an older one', async () => {
    const bucket = memoryBucket();
    await pointLatest(bucket, older);
    await pointLatest(bucket, newer);
    expect((await readLatest({ bucket }))?.snapshot).toBe(newer.snapshot);
    await pointLatest(bucket, older);
    expect((await readLatest({ bucket }))?.snapshot).toBe(newer.snapshot);
  });

  it('replaces one it cannot read', async () => {
    const bucket = memoryBucket();
    await bucket.put(LATEST_KEY, Buffer.from('{"snapshot": 1}'), 'application/json');
    await pointLatest(bucket, older);
    expect((await readLatest({ bucket }))?.snapshot).toBe(older.snapshot);
  });
});
