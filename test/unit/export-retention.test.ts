import { describe, expect, it } from 'vitest';
import type { ExportBucket } from '../../shared/export/bucket.ts';
import { deleteSnapshotFolder, snapshotsToDelete, tidy } from '../../shared/export/retention.ts';
import { LATEST_KEY, manifestKey, snapshotPrefix } from '../../shared/export/snapshots.ts';
import { memoryBucket } from '../support/export-bucket.ts';

const complete = (id: string): { id: string; complete: boolean } => ({ id, complete: true });
const unfinished = (id: string): { id: string; complete: boolean } => ({ id, complete: false });

const A = '2025-03-01T020000Z';
const B = '2025-03-02T020000Z';
const C = '2025-03-03T020000Z';
const D = '2025-03-04T020000Z';

describe('which snapshots retention deletes', () => {
  it('keeps the newest `keep` complete snapshots and deletes the older ones', () => {
    expect(snapshotsToDelete([complete(A), complete(B), complete(C)], C, 2)).toEqual([A]);
    expect(snapshotsToDelete([complete(A), complete(B), complete(C)], C, 3)).toEqual([]);
    expect(snapshotsToDelete([complete(A), complete(B), complete(C)], C, 0)).toEqual([A, B]);
  });

  it('never deletes the latest, even when older than the ones kept', () => {
    expect(snapshotsToDelete([complete(A), complete(B), complete(C)], A, 1)).toEqual([B]);
  });

  it('deletes every unfinished folder, first, whatever its age', () => {
    expect(
      snapshotsToDelete([unfinished(A), complete(B), complete(C), unfinished(D)], C, 1),
    ).toEqual([A, D, B]);
  });

  it('counts only complete snapshots against `keep`', () => {
    expect(snapshotsToDelete([complete(A), unfinished(B), complete(C)], C, 2)).toEqual([B]);
  });

  it('deletes nothing of an empty bucket, or before any latest', () => {
    expect(snapshotsToDelete([], undefined, 30)).toEqual([]);
    expect(snapshotsToDelete([complete(A), complete(B)], undefined, 1)).toEqual([A]);
  });
});

async function put(bucket: ExportBucket, key: string, text = '{}'): Promise<void> {
  await bucket.put(key, Buffer.from(text), 'application/json');
}

async function snapshotIn(bucket: ExportBucket, id: string, withManifest: boolean): Promise<void> {
  await put(bucket, `${snapshotPrefix(id)}statistics/year.csv`, 'key\r\n');
  await put(bucket, `${snapshotPrefix(id)}items/2016.csv`, 'caseNumber\r\n');
  if (withManifest) await put(bucket, manifestKey(id));
}

describe('tidying the exports bucket', () => {
  it('deletes the folders picked, and leaves the others and the bookkeeping alone', async () => {
    const bucket = memoryBucket();
    await snapshotIn(bucket, A, true);
    await snapshotIn(bucket, B, false);
    await snapshotIn(bucket, C, true);
    await snapshotIn(bucket, D, true);
    const latest = {
      snapshot: D,
      generatedAt: '2025-03-04T02:00:00.000Z',
      manifest: manifestKey(D),
    };
    await put(bucket, LATEST_KEY, JSON.stringify(latest));
    await put(bucket, 'jobs/current.json');

    await tidy(bucket, 2);

    const left = await bucket.list('');
    expect(left.filter((k) => k.startsWith(snapshotPrefix(A)))).toEqual([]);
    expect(left.filter((k) => k.startsWith(snapshotPrefix(B)))).toEqual([]);
    expect(left.filter((k) => k.startsWith(snapshotPrefix(C)))).toHaveLength(3);
    expect(left.filter((k) => k.startsWith(snapshotPrefix(D)))).toHaveLength(3);
    expect(left).toContain(LATEST_KEY);
    expect(left).toContain('jobs/current.json');
  });

  it('deletes a folder manifest first, so a half-deleted folder never looks complete', async () => {
    const memory = memoryBucket();
    await snapshotIn(memory, A, true);
    await snapshotIn(memory, B, true);
    const deletions: string[][] = [];
    const bucket: ExportBucket = {
      ...memory,
      delete: (keys) => {
        deletions.push([...keys]);
        return memory.delete(keys);
      },
    };

    await deleteSnapshotFolder(bucket, A);

    expect(deletions).toEqual([
      [manifestKey(A)],
      [`${snapshotPrefix(A)}items/2016.csv`, `${snapshotPrefix(A)}statistics/year.csv`],
    ]);
    expect(await memory.list(snapshotPrefix(B))).toHaveLength(3);
  });
});
