import type { ExportBucket } from './bucket.ts';
import { manifestKey, readLatest, snapshotFolders, snapshotPrefix } from './snapshots.ts';

// Which snapshot folders the exports bucket keeps, and deleting the others (docs/EXPORTS.md,
// "Failures"): the newest `keep` complete snapshots and the latest; folders no manifest completed
// (a start that failed before saving its job, a dropped stale job) go.

/**
 * The folders to delete, in deletion order: unfinished ones, then complete ones beyond the newest
 * `keep`; never `latest`. `folders` come oldest first, as `snapshotFolders` lists them.
 */
export function snapshotsToDelete(
  folders: readonly { id: string; complete: boolean }[],
  latest: string | undefined,
  keep: number,
): string[] {
  // Names are times, so name order is age order.
  const complete = folders.filter((f) => f.complete).map((f) => f.id);
  const old = complete.slice(0, Math.max(0, complete.length - keep));
  const unfinished = folders.filter((f) => !f.complete).map((f) => f.id);
  return [...unfinished, ...old].filter((id) => id !== latest);
}

/** Deletes the snapshot folders `snapshotsToDelete` picks. */
export async function tidy(bucket: ExportBucket, keep: number): Promise<void> {
  const [folders, latest] = await Promise.all([snapshotFolders(bucket), readLatest({ bucket })]);
  for (const id of snapshotsToDelete(folders, latest?.snapshot, keep)) {
    await deleteSnapshotFolder(bucket, id);
  }
}

/** Deletes every object of one snapshot folder. */
export async function deleteSnapshotFolder(bucket: ExportBucket, id: string): Promise<void> {
  const keys = await bucket.list(snapshotPrefix(id));
  // The manifest goes first, so a folder half deleted is never taken for a complete snapshot.
  const manifest = manifestKey(id);
  if (keys.includes(manifest)) await bucket.delete([manifest]);
  await bucket.delete(keys.filter((k) => k !== manifest));
}
