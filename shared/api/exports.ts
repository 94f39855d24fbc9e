import { listSnapshots } from '../export/index.ts';
import { rate } from '../stats/index.ts';
import type { ApiDeps } from './deps.ts';
import type { ExportsList } from './schemas.ts';

/** Where the site serves export files from: CloudFront on AWS, the local server locally. */
export const EXPORTS_PATH = '/exports/';

/** The complete statistics snapshots, newest first, with a download path for every file. */
export async function listExports(deps: ApiDeps): Promise<ExportsList> {
  if (deps.exports === null) return { snapshots: [] };
  const snapshots = await listSnapshots({ bucket: deps.exports });
  return {
    snapshots: snapshots.map((s) => ({
      id: s.id,
      generatedAt: s.generatedAt,
      completedAt: s.completedAt,
      latest: s.latest,
      // The interval is derived from the counts the manifest holds, as /api/stats derives it.
      totals: { ...s.totals, ...rate(s.totals) },
      manifest: `${EXPORTS_PATH}${s.manifestKey}`,
      files: s.files.map((f) => ({
        path: f.path,
        format: f.format,
        kind: f.kind,
        dimension: f.dimension ?? null,
        year: f.year ?? null,
        rows: f.rows,
        bytes: f.bytes,
        sha256: f.sha256,
        url: `${EXPORTS_PATH}${f.key}`,
      })),
    })),
  };
}
