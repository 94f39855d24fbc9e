import { PutObjectCommand } from '@aws-sdk/client-s3';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createExportHandler } from '../../functions/schedule-export-stats.ts';
import { startExportSchedule } from '../../local/exports.ts';
import { startLocalStack, type LocalStack } from '../../local/stack.ts';
import { forEachLimit } from '../../shared/concurrency.ts';
import { s3ExportBucket, type ExportBucket } from '../../shared/export/bucket.ts';
import { CSV_LIST_SEPARATOR, itemRows, type ItemRow } from '../../shared/export/items.ts';
import {
  ExportFailedError,
  runExport,
  type ExportDeps,
  type ExportResult,
} from '../../shared/export/run.ts';
import {
  JOB_KEY,
  LATEST_KEY,
  listSnapshots,
  LOCK_KEY,
  manifestKey,
  manifestSchema,
  readLatest,
  readManifest,
  snapshotPrefix,
  type Manifest,
} from '../../shared/export/snapshots.ts';
import { createLogger } from '../../shared/logger.ts';
import { parseLetterText } from '../../shared/parser/parse-letter.ts';
import { STATS_BY, statistics } from '../../shared/stats/statistics.ts';
import { putDetermination } from '../../shared/store/determinations.ts';
import { statsSortKey } from '../../shared/store/keys.ts';
import { generateLetter } from '../../synthetic/generate.ts';
import { renderLetter } from '../../synthetic/render-letter.ts';
import { SPEC } from '../fixtures/synthetic-letter.ts';
import { csvObjects } from '../support/csv.ts';
import { faultyBucket } from '../support/export-bucket.ts';
import { readParquetRows } from '../support/parquet.ts';
import { snapshot } from '../support/store.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const ORGANISATION = 'private-org-name';
const LETTERS = 40;
const AWKWARD_ID = 'X-00000000000000ab';
// No line break: store/keys.ts reads counter keys with `.`, which stops at one (unit tests cover
// line breaks in CSV).
const AWKWARD_SPECIALTY = 'Pain, "Spine" Medicine';

let stack: LocalStack;
let dataDir: string;
/** The first complete snapshot: later ones of the unchanged table must match it byte for byte. */
let first: Manifest;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'imr-export-test-'));
  stack = await startLocalStack({ dataDir, logger: createLogger({ level: 'silent' }) });
  await forEachLimit(
    Array.from({ length: LETTERS }, (_, i) => i),
    8,
    async (i) => {
      const letter = generateLetter(i, 11, 'text');
      await stack.s3.send(
        new PutObjectCommand({
          Bucket: stack.bucket,
          Key: `uploads/${ORGANISATION}/${letter.fileName}`,
          Body: letter.bytes,
        }),
      );
    },
  );
  await stack.ingest.idle();
  // An undated letter naming no case number, whose coded values hold what CSV must protect.
  const base = parseLetterText(renderLetter(SPEC, { layout: 'full-letter' }), 'awkward.txt');
  await putDetermination(stack.table, {
    id: AWKWARD_ID,
    record: {
      ...base,
      caseNumber: null,
      dates: { ...base.dates, decision: null },
      reviewer: { ...base.reviewer, specialties: [AWKWARD_SPECIALTY, 'Orthopedics'] },
      issues: base.issues.map((issue, i) => ({
        ...issue,
        bodyRegions: i === 0 ? ['knee', 'lumbar spine'] : issue.bodyRegions,
      })),
    },
    contentHash: 'awkward',
    organisation: ORGANISATION,
    sourceKey: `uploads/${ORGANISATION}/awkward.txt`,
    sequencer: '0001',
    now: new Date().toISOString(),
  });
});

afterAll(async () => {
  await stack?.stop();
  if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
});

const silent = createLogger({ level: 'silent' });

function bucket(): ExportBucket {
  return s3ExportBucket(stack.s3, stack.exportsBucket);
}

function deps(b: ExportBucket = bucket()): ExportDeps {
  return { table: stack.table, bucket: b, logger: silent };
}

async function text(key: string): Promise<string> {
  const object = await bucket().get(key);
  if (object === null) throw new Error(`${key} is missing`);
  return Buffer.from(object.body).toString('utf8');
}

async function bytes(key: string): Promise<Uint8Array> {
  const object = await bucket().get(key);
  if (object === null) throw new Error(`${key} is missing`);
  return object.body;
}

/** path → sha256 of every file of a snapshot. */
function digests(m: Manifest): Record<string, string> {
  return Object.fromEntries(m.files.map((f) => [f.path, f.sha256]));
}

async function exportComplete(options: Parameters<typeof runExport>[1] = {}): Promise<Manifest> {
  const result = await runExport(deps(), options);
  if (result.status !== 'complete') throw new Error(`export ${result.status}`);
  return result.manifest;
}

/** A dataset row as its CSV cells. */
function asCsv(row: object): Record<string, string> {
  return Object.fromEntries(
    Object.entries(row).map(([k, v]) => [
      k,
      v === null ? '' : Array.isArray(v) ? v.join(CSV_LIST_SEPARATOR) : String(v),
    ]),
  );
}

function tallyInto(map: Map<string, [number, number]>, key: string, decision: string): void {
  const t = map.get(key) ?? [0, 0];
  t[decision === 'upheld' ? 0 : 1]++;
  map.set(key, t);
}

describe('a statistics export snapshot', () => {
  it('has figures equal to the API statistics and to a recount of the stored records', async () => {
    first = await exportComplete();
    const m = first;
    expect(await readManifest(deps(), m.snapshot)).toEqual(m);
    expect(await readLatest(deps())).toEqual({
      snapshot: m.snapshot,
      generatedAt: m.generatedAt,
      manifest: manifestKey(m.snapshot),
    });
    expect(m.snapshot).toMatch(/^\d{4}-\d{2}-\d{2}T\d{6}Z$/);

    // Every file is where the manifest says, with its size and digest.
    for (const f of m.files) {
      expect(f.key).toBe(snapshotPrefix(m.snapshot) + f.path);
      const body = await bytes(f.key);
      expect(body.length).toBe(f.bytes);
      expect(createHash('sha256').update(body).digest('hex')).toBe(f.sha256);
    }
    const years = m.files.filter((f) => f.format === 'csv' && f.kind === 'items');
    expect(m.files.map((f) => f.path)).toEqual([
      ...STATS_BY.map((by) => `statistics/${by}.csv`),
      'statistics/statistics.json',
      ...years.flatMap((f) => [f.path, f.path.replace(/csv$/, 'parquet')]),
    ]);
    expect(years.at(-1)?.path).toBe('items/undated.csv');
    expect(years.length).toBeGreaterThan(4);

    // Statistics files: exactly what the API's statistics() returns.
    const api = await Promise.all(STATS_BY.map((by) => statistics(stack.table, { by })));
    expect(
      JSON.parse(await text(snapshotPrefix(m.snapshot) + 'statistics/statistics.json')),
    ).toEqual({ statistics: api });
    for (const result of api) {
      const file = m.files.find((f) => f.dimension === result.by)!;
      const rows = csvObjects(await text(file.key));
      expect(file.rows).toBe(rows.length);
      expect(rows).toEqual(
        result.groups.map((g) => ({
          key: g.key,
          label: g.label,
          upheld: String(g.upheld),
          overturned: String(g.overturned),
          total: String(g.total),
          overturnRate: g.overturnRate === null ? '' : String(g.overturnRate),
        })),
      );
    }
    const specialties = api.find((r) => r.by === 'specialty')!;
    expect(specialties.groups.map((g) => g.key)).toContain(AWKWARD_SPECIALTY);

    // ... and a recount from the stored determinations (the test scans; the export never does).
    const snap = await snapshot(stack);
    expect(snap.counters).toEqual(snap.recount);
    for (const result of api) {
      if (result.by === 'month' || result.by === 'year') continue;
      const recounted = [...snap.recount].filter(([k]) =>
        k.startsWith(`STATS#${result.by}\u0000A#`),
      );
      expect(result.groups).toHaveLength(recounted.length);
      for (const g of result.groups) {
        expect(snap.recount.get(`STATS#${result.by}\u0000${statsSortKey(g.key, null)}`)).toBe(
          `${g.upheld}/${g.overturned}`,
        );
      }
    }
    const byMonth = new Map<string, [number, number]>();
    for (const [id, d] of snap.determinations) {
      for (const row of itemRows(id, d.record)) {
        if (row.decisionDate !== null)
          tallyInto(byMonth, row.decisionDate.slice(0, 7), row.decision);
      }
    }
    expect(
      api.find((r) => r.by === 'month')!.groups.map((g) => [g.key, g.upheld, g.overturned]),
    ).toEqual([...byMonth].sort(([a], [b]) => a.localeCompare(b)).map(([k, [u, o]]) => [k, u, o]));

    // Item files: one row per stored item, and their figures are the statistics' figures.
    const expected: ItemRow[] = [...snap.determinations].flatMap(([id, d]) =>
      itemRows(id, d.record),
    );
    const exported: Record<string, string>[] = [];
    for (const f of years) {
      const rows = csvObjects(await text(f.key));
      expect(f.rows).toBe(rows.length);
      for (const r of rows) expect((r.decisionDate ?? '').slice(0, 4) || '0000').toBe(f.year);
      // The Parquet file of the year holds the same rows.
      const parquet = m.files.find((p) => p.format === 'parquet' && p.year === f.year)!;
      expect((await readParquetRows(await bytes(parquet.key))).map(asCsv)).toEqual(rows);
      exported.push(...rows);
    }
    const order = (r: object): string => {
      const cells = asCsv(r);
      return `${cells.caseNumber}#${(cells.ordinal ?? '').padStart(3, '0')}`;
    };
    expect(exported.map(order).sort()).toEqual(expected.map(order).sort());
    expect([...exported].sort((a, b) => order(a).localeCompare(order(b)))).toEqual(
      [...expected].sort((a, b) => order(a).localeCompare(order(b))).map(asCsv),
    );
    const awkward = exported.find((r) => r.caseNumber === AWKWARD_ID)!;
    expect(awkward.specialties).toBe(`${AWKWARD_SPECIALTY}; Orthopedics`);
    expect(awkward.decisionDate).toBe('');

    const byCategory = new Map<string, [number, number]>();
    for (const r of exported) tallyInto(byCategory, r.category ?? '', r.decision ?? '');
    const categories = api.find((r) => r.by === 'category')!;
    expect(categories.groups.map((g) => [g.key, g.upheld, g.overturned]).sort()).toEqual(
      [...byCategory].map(([k, [u, o]]) => [k, u, o]).sort(),
    );
    // The manifest keeps the counts and the rate; its interval is the API's to derive.
    const { upheld, overturned, total, overturnRate } = categories.totals;
    expect(m.totals).toEqual({
      letters: snap.determinations.size,
      items: expected.length,
      upheld,
      overturned,
      total,
      overturnRate,
    });
    expect(m.totals.total).toBe(exported.length);

    // Nothing private: no organisation, no upload key or file name.
    for (const f of m.files) {
      const content =
        f.format === 'parquet'
          ? JSON.stringify(await readParquetRows(await bytes(f.key)))
          : await text(f.key);
      expect(content).not.toContain(ORGANISATION);
      expect(content).not.toContain('uploads/');
      expect(content).not.toMatch(/\.txt\b/);
    }
  });

  it('keeps the previous snapshot as the latest when a run fails, and finishes on the next run', async () => {
    const before = await readLatest(deps());
    const listed = (await listSnapshots(deps())).map((s) => s.id);
    const year = first.files.find((f) => f.kind === 'items' && f.year !== '0000')!.year!;
    const failing = faultyBucket(bucket(), (key) => key.endsWith(`items/${year}.parquet`));

    const failed = runExport(deps(failing));
    await expect(failed).rejects.toThrow(ExportFailedError);
    await expect(failed).rejects.toThrow(/injected fault/);
    expect(await readLatest(deps())).toEqual(before);
    expect((await listSnapshots(deps())).map((s) => s.id)).toEqual(listed);
    // The job stays, with the years that did finish; the lease is released.
    expect(await bucket().get(JOB_KEY)).not.toBeNull();
    expect(await bucket().get(LOCK_KEY)).toBeNull();

    const retried = await exportComplete();
    expect(retried.runs).toBe(2);
    expect(retried.snapshot).not.toBe(before?.snapshot);
    expect((await readLatest(deps()))?.snapshot).toBe(retried.snapshot);
    expect(await bucket().get(JOB_KEY)).toBeNull();
    expect(digests(retried)).toEqual(digests(first));
    expect((await listSnapshots(deps())).map((s) => [s.id, s.latest])).toEqual([
      [retried.snapshot, true],
      ...listed.map((id) => [id, false]),
    ]);
  });

  it('finishes a snapshot whose run failed after writing its manifest', async () => {
    const before = await readLatest(deps());
    const failing = faultyBucket(bucket(), (key) => key === LATEST_KEY);
    await expect(runExport(deps(failing))).rejects.toThrow(/injected fault/);
    expect(await readLatest(deps())).toEqual(before);
    const done = await exportComplete({ mode: 'continue' });
    expect(done.runs).toBe(1);
    expect((await readLatest(deps()))?.snapshot).toBe(done.snapshot);
    expect(digests(done)).toEqual(digests(first));
    expect(await bucket().get(JOB_KEY)).toBeNull();
  });

  it('continues where it stopped when its time ran out, to the same snapshot', async () => {
    const before = await readLatest(deps());
    // Stops in the middle of its first year: nothing of that year is kept.
    let checks = 0;
    const stopped = await runExport(deps(), {
      concurrency: 1,
      timeLeft: () => (checks++ < 1 ? 1 : 0),
    });
    expect(stopped).toMatchObject({ status: 'incomplete', yearsDone: 0 });
    expect(await readLatest(deps())).toEqual(before);

    // Then runs that each have time for one year; parts of 1 KiB exercise multipart uploads.
    let runs = 1;
    let result;
    do {
      let budget = 1;
      result = await runExport(deps(), {
        mode: 'continue',
        concurrency: 1,
        partSize: 1024,
        timeLeft: () => budget,
        onProgress: () => {
          budget = 0;
        },
      });
      runs++;
      if (result.status === 'incomplete') expect(result.yearsDone).toBe(runs - 1);
    } while (result.status === 'incomplete' && runs < 50);
    if (result.status !== 'complete') throw new Error(`export ${result.status}`);
    expect(runs).toBe(
      first.files.filter((f) => f.format === 'csv' && f.kind === 'items').length + 1,
    );
    expect(result.manifest.runs).toBe(runs);
    expect(digests(result.manifest)).toEqual(digests(first));
    expect((await readLatest(deps()))?.snapshot).toBe(result.manifest.snapshot);
  });

  it('takes turns with another run, and drops an export left unfinished too long', async () => {
    expect(await runExport(deps(), { mode: 'continue' })).toEqual({ status: 'idle' });
    const lease = (until: number) => Buffer.from(JSON.stringify({ owner: 'other', until }));
    await bucket().put(LOCK_KEY, lease(Date.now() + 60_000), 'application/json');
    expect(await runExport(deps())).toEqual({ status: 'busy' });
    // A lease whose holder died (it expired) is taken over.
    await bucket().put(LOCK_KEY, lease(Date.now() - 1), 'application/json');
    const stopped = await runExport(deps(), { timeLeft: () => 0 });
    expect(stopped).toMatchObject({ status: 'incomplete', yearsDone: 0 });
    if (stopped.status !== 'incomplete') throw new Error('expected incomplete');
    expect(await bucket().list(snapshotPrefix(stopped.snapshot))).not.toEqual([]);

    // A second later, so that the new snapshot's name differs from the dropped one's.
    await new Promise((r) => setTimeout(r, 1000));
    const fresh = await exportComplete({ staleAfterMs: 1 });
    expect(fresh.runs).toBe(1);
    expect(fresh.snapshot).not.toBe(stopped.snapshot);
    expect(await bucket().list(snapshotPrefix(stopped.snapshot))).toEqual([]);
  });

  it('keeps the newest snapshots and removes folders no manifest completed', async () => {
    const orphan = `${snapshotPrefix('2001-01-01T000000Z')}items/2016.csv`;
    await bucket().put(orphan, Buffer.from('x'), 'text/csv');
    const newest = await exportComplete({ keep: 2 });
    const left = await listSnapshots(deps());
    expect(left).toHaveLength(2);
    expect(left[0]).toMatchObject({ id: newest.snapshot, latest: true });
    expect(await bucket().get(orphan)).toBeNull();
  });

  it('runs from the scheduled Lambda handler', async () => {
    const handler = createExportHandler(deps());
    const context = { getRemainingTimeInMillis: () => 10 * 60 * 1000 };
    expect(await handler({ action: 'continue' }, context)).toEqual({ status: 'idle' });
    const scheduled = { 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} };
    const out = await handler(scheduled, context);
    expect(out).toMatchObject({ status: 'complete', items: first.totals.items });
    await expect(handler({ action: 'everything' }, context)).rejects.toThrow();
    // With less than its safety margin left, a run stops before any year.
    const late = await handler({}, { getRemainingTimeInMillis: () => 1000 });
    expect(late).toMatchObject({ status: 'incomplete', yearsDone: 0 });
    expect(await handler({ action: 'continue' }, context)).toMatchObject({ status: 'complete' });
  });

  it("runs on npm start's schedule: at once, then every interval, one run at a time", async () => {
    const results: ExportResult[] = [];
    const schedule = startExportSchedule(stack, {
      intervalMs: 50,
      logger: silent,
      onResult: (r) => results.push(r),
    });
    await vi.waitFor(() => expect(results.length).toBeGreaterThanOrEqual(2), { timeout: 30_000 });
    await schedule.stop();
    const settled = results.length;
    await new Promise((r) => setTimeout(r, 200));
    expect(results).toHaveLength(settled);
    expect(results.every((r) => r.status === 'complete')).toBe(true);
    expect(await bucket().get(LOCK_KEY)).toBeNull();
  });

  it('runs from `imr export`, printing the manifest', async () => {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [join(ROOT, 'bin/imr.js'), 'export', '--data-dir', dataDir],
      { cwd: ROOT, encoding: 'utf8' },
    );
    const manifest = manifestSchema.parse(JSON.parse(stdout));
    expect((await readLatest(deps()))?.snapshot).toBe(manifest.snapshot);
    expect(digests(manifest)).toEqual(digests(first));
    expect(stderr).toMatch(/\(\d+\/\d+ years\)/);
    expect(stderr).toContain(`snapshot ${manifest.snapshot}`);
  });

  it('`imr export` says how to start a stack when none runs', async () => {
    const failed = promisify(execFile)(
      process.execPath,
      [join(ROOT, 'bin/imr.js'), 'export', '--data-dir', join(dataDir, 'nowhere')],
      { cwd: ROOT, encoding: 'utf8' },
    );
    await expect(failed).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/no local stack is running .* "npm start"/),
    });
  });
});
