import { parseArgs } from 'node:util';
import { readStackFile } from '../local/stack-file.ts';
import { s3ExportBucket } from '../shared/export/bucket.ts';
import { runExport, type ExportDeps, type ExportResult } from '../shared/export/run.ts';
import { createLogger } from '../shared/logger.ts';
import { closeTarget, localTarget, UsageError, type Io, type Target } from './target.ts';

export const EXPORT_HELP = `Usage: imr export [--data-dir DIR]

Writes a statistics export snapshot of the local stack started by "npm start" (the same code the
scheduled export runs on AWS) to its exports bucket, and prints the snapshot's manifest (JSON)
to stdout. Progress goes to stderr.

Options:
  --data-dir DIR    the local stack started by "npm start" with this data dir (default: .data)

Exit status: 0 when the snapshot was written, 1 when the export failed, 2 on a usage error (or
no running stack).
`;

// Another export (npm start's schedule) holds the lease: wait this long for it, then give up.
const BUSY_WAIT_MS = 10 * 60 * 1000;
const BUSY_POLL_MS = 1000;

/** `imr export`: one snapshot of the local stack, manifest to stdout. */
export async function exportCommand(args: readonly string[], io: Io): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: { 'data-dir': { type: 'string', default: '.data' } },
    }));
  } catch (e) {
    io.stderr.write(`imr export: ${(e as Error).message}\n\n${EXPORT_HELP}`);
    return 2;
  }
  const dataDir = values['data-dir'];
  let target: Target;
  let exportsBucket: string;
  try {
    target = await localTarget(dataDir);
    // Beyond what localTarget reads: absent from stacks started before exports existed.
    const fromFile = (await readStackFile(dataDir))?.exportsBucket;
    if (fromFile === undefined) {
      closeTarget(target);
      throw new UsageError(
        `the local stack in ${dataDir} has no exports bucket: restart it with "npm start"`,
      );
    }
    exportsBucket = fromFile;
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.stderr.write(`imr export: ${e.message}\n`);
    return 2;
  }
  const table = target.table;
  if (table === null) throw new Error('a local target always has a table');
  const deps: ExportDeps = {
    table,
    bucket: s3ExportBucket(target.s3, exportsBucket),
    logger: createLogger({
      level: 'warn',
      service: 'export',
      write: (line) => io.stderr.write(line + '\n'),
    }),
  };
  try {
    const started = Date.now();
    io.stderr.write(`imr export: reading statistics from ${table.tableName} ...\n`);
    let result: ExportResult;
    let told = false;
    for (;;) {
      result = await runExport(deps, {
        onProgress: (p) =>
          io.stderr.write(
            `imr export: ${p.year === '0000' ? 'undated' : p.year}: ${p.letters} letters, ` +
              `${p.items} items (${p.yearsDone}/${p.years} years)\n`,
          ),
      });
      if (result.status !== 'busy' || Date.now() - started > BUSY_WAIT_MS) break;
      if (!told) io.stderr.write('imr export: waiting for the export already running ...\n');
      told = true;
      await new Promise((r) => setTimeout(r, BUSY_POLL_MS));
    }
    if (result.status !== 'complete') {
      io.stderr.write(`imr export: the export did not finish (${result.status})\n`);
      return 1;
    }
    const m = result.manifest;
    io.stderr.write(
      `imr export: snapshot ${m.snapshot} in s3://${exportsBucket}/snapshots/${m.snapshot}/: ` +
        `${m.files.length} files, ${m.totals.items} items from ${m.totals.letters} letters, ` +
        `${((Date.now() - started) / 1000).toFixed(1)} s\n`,
    );
    io.stdout.write(JSON.stringify(m, null, 2) + '\n');
    return 0;
  } catch (e) {
    io.stderr.write(`imr export: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  } finally {
    closeTarget(target);
  }
}
