import { readStackFile } from '../local/stack-file.ts';
import {
  s3ExportBucket,
  runExport,
  type ExportDeps,
  type ExportResult,
  type Manifest,
} from '../shared/export/index.ts';
import { createLogger } from '../shared/logger.ts';
import { CommandFailure, defineCommand, messageOf, UsageError, type Io } from './command.ts';
import { closeTarget, localTarget } from './target.ts';

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
export const exportCommand = defineCommand({
  program: 'imr export',
  usage: EXPORT_HELP,
  options: { 'data-dir': { type: 'string', default: '.data' } },
  check: (parsed) => parsed.values['data-dir'],
  async run(dataDir, { io, hold }) {
    const target = hold(await localTarget(dataDir), closeTarget);
    // Beyond what localTarget reads: absent from stacks started before exports existed.
    const exportsBucket = (await readStackFile(dataDir))?.exportsBucket;
    if (exportsBucket === undefined) {
      throw new UsageError(
        `the local stack in ${dataDir} has no exports bucket: restart it with "npm start"`,
      );
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
      const manifest = await exportSnapshot(deps, table.tableName, exportsBucket, io);
      io.stdout.write(JSON.stringify(manifest, null, 2) + '\n');
      return 0;
    } catch (e) {
      // Once the stack is found, whatever stops the export is told in one line.
      if (e instanceof CommandFailure) throw e;
      throw new CommandFailure(messageOf(e), { cause: e });
    }
  },
});

/** Runs the export to completion (waiting out one already running), progress on stderr. */
async function exportSnapshot(
  deps: ExportDeps,
  tableName: string,
  exportsBucket: string,
  io: Io,
): Promise<Manifest> {
  const started = Date.now();
  io.stderr.write(`imr export: reading statistics from ${tableName} ...\n`);
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
    throw new CommandFailure(`the export did not finish (${result.status})`);
  }
  const m = result.manifest;
  io.stderr.write(
    `imr export: snapshot ${m.snapshot} in s3://${exportsBucket}/snapshots/${m.snapshot}/: ` +
      `${m.files.length} files, ${m.totals.items} items from ${m.totals.letters} letters, ` +
      `${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  );
  return m;
}
