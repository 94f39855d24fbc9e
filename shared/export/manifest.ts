import type { ExportBucket } from './bucket.ts';
import type { Job } from './job.ts';
import {
  JSON_TYPE,
  LATEST_KEY,
  MANIFEST_FORMAT,
  manifestKey,
  readLatest,
  type Manifest,
} from './snapshots.ts';

// What makes a snapshot complete and the latest (docs/EXPORTS.md, `manifest.json` and
// `latest.json`): the manifest, built from a finished job and written as the snapshot's last
// file, then latest.json pointed at it.

/** The manifest of a job whose every year is done, completed at `completedAt`. */
export function manifestOf(job: Job, completedAt: Date): Manifest {
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

/** Writes the manifest: from then on the snapshot is complete. */
export async function writeManifest(bucket: ExportBucket, manifest: Manifest): Promise<void> {
  await bucket.put(
    manifestKey(manifest.snapshot),
    Buffer.from(JSON.stringify(manifest, null, 2) + '\n'),
    JSON_TYPE,
  );
}

/** Points latest.json at the snapshot, unless it names a newer one. */
export async function pointLatest(bucket: ExportBucket, manifest: Manifest): Promise<void> {
  const latest = await readLatest({ bucket }).catch(() => null);
  // A snapshot finished late (a stale job's retry) must not hide a newer one.
  if (latest !== null && latest.generatedAt > manifest.generatedAt) return;
  const pointer = {
    snapshot: manifest.snapshot,
    generatedAt: manifest.generatedAt,
    manifest: manifestKey(manifest.snapshot),
  };
  await bucket.put(LATEST_KEY, Buffer.from(JSON.stringify(pointer, null, 2) + '\n'), JSON_TYPE);
}
