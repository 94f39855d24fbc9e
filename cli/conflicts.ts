import { parseArgs } from 'node:util';
import { createDynamoClient } from '../shared/aws/clients.ts';
import type { TableDeps } from '../shared/store/determinations.ts';
import { acceptConflict, keepPublished, type Settlement } from '../shared/store/determinations.ts';
import { listConflicts, type Conflict } from '../shared/store/provenance.ts';
import { closeTarget, localTarget, UsageError, type Io } from './target.ts';

export const CONFLICTS_HELP = `Usage: imr conflicts [--data-dir DIR | --table NAME]
       imr conflicts resolve CASE (--accept ORG | --keep) [--data-dir DIR | --table NAME]

A case's public record belongs to the organisation whose upload first produced it. When another
organisation uploads different content for that case, its upload is recorded as a conflict and
changes nothing public. "imr conflicts" lists the open conflicts, oldest first: the case, the
organisation that sent the differing copy, its upload key, when, and what differs.

"imr conflicts resolve CASE --accept ORG" publishes ORG's copy instead (ORG becomes the owner;
statistics and indexes move with it; the former owner's copy becomes a conflict in turn).
"imr conflicts resolve CASE --keep" keeps the published record and drops the case's conflicts.

Options:
  --data-dir DIR    the local stack started by "npm start" with this data dir (default: .data)
  --table NAME      the table on AWS instead, with the usual AWS credentials

Exit status: 0 on success, 1 when the table cannot be read or there is no such conflict, 2 on a
usage error.
`;

const LIST_LIMIT = 1000;

/** `imr conflicts`: lists open conflicts, or (`resolve`) settles one case's. */
export async function conflictsCommand(args: readonly string[], io: Io): Promise<number> {
  let options;
  try {
    options = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        accept: { type: 'string' },
        keep: { type: 'boolean', default: false },
        'data-dir': { type: 'string', default: '.data' },
        table: { type: 'string' },
      },
    });
    const [verb, caseId, ...extra] = options.positionals;
    if (verb !== undefined && verb !== 'resolve') throw new UsageError(`unknown action "${verb}"`);
    if (verb === 'resolve') {
      if (caseId === undefined || extra.length > 0) {
        throw new UsageError('resolve takes one case number');
      }
      if ((options.values.accept === undefined) === !options.values.keep) {
        throw new UsageError('resolve takes either --accept ORG or --keep');
      }
    } else if (options.values.accept !== undefined || options.values.keep) {
      throw new UsageError('--accept and --keep go with "resolve CASE"');
    }
  } catch (e) {
    io.stderr.write(`imr conflicts: ${(e as Error).message}\n\n${CONFLICTS_HELP}`);
    return 2;
  }
  const { values, positionals } = options;

  let table: TableDeps;
  let close: () => void;
  try {
    if (values.table !== undefined) {
      table = { client: createDynamoClient(), tableName: values.table };
      close = () => table.client.destroy();
    } else {
      const target = await localTarget(values['data-dir']);
      if (target.table === null) throw new Error('a local target always has a table');
      table = target.table;
      close = () => closeTarget(target);
    }
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.stderr.write(`imr conflicts: ${e.message}\n`);
    return 2;
  }

  try {
    const caseId = positionals[1];
    if (caseId === undefined) {
      const { conflicts, more } = await listConflicts(table, LIST_LIMIT);
      io.stdout.write(formatConflicts(conflicts));
      if (more) {
        io.stdout.write(`(the ${LIST_LIMIT} oldest are shown; settle them to see the rest)\n`);
      }
      return 0;
    }
    const now = new Date().toISOString();
    const settled =
      values.accept === undefined
        ? await keepPublished(table, caseId)
        : await acceptConflict(table, caseId, values.accept, now);
    const line = describeSettlement(caseId, settled);
    if (settled.kind === 'no-conflict') {
      io.stderr.write(`imr conflicts: ${line}\n`);
      return 1;
    }
    io.stdout.write(`${line}\n`);
    return 0;
  } catch (e) {
    io.stderr.write(`imr conflicts: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  } finally {
    close();
  }
}

function describeSettlement(caseId: string, s: Settlement): string {
  switch (s.kind) {
    case 'accepted':
      return (
        `${caseId}: ${s.organisation}'s copy is now the published record` +
        (s.previousOwner === null ? '' : ` (it was ${s.previousOwner}'s)`)
      );
    case 'kept':
      return (
        `${caseId}: the published record stands; ${s.dropped} conflicting ` +
        `${s.dropped === 1 ? 'copy' : 'copies'} dropped` +
        (s.changed === 0 ? '' : `; ${s.changed} re-uploaded meanwhile, still open`)
      );
    case 'already':
      return `${caseId}: ${s.organisation}'s copy is already the published record`;
    case 'no-conflict':
      return `${caseId} has no open conflict to settle (see "imr conflicts")`;
  }
}

/** The open conflicts as a table for a terminal, with what differs under each. */
export function formatConflicts(conflicts: readonly Conflict[]): string {
  if (conflicts.length === 0) return 'No open conflicts.\n';
  const lines = [`${conflicts.length} open ${conflicts.length === 1 ? 'conflict' : 'conflicts'}:`];
  for (const c of conflicts) {
    lines.push(`${c.caseId}  ${c.organisation}  ${c.sourceKey}  ${c.updatedAt}`);
    for (const d of c.differences) lines.push(`    ${d}`);
  }
  lines.push(
    '',
    'Settle one with "imr conflicts resolve CASE --accept ORG" (publish that copy) or "--keep".',
  );
  return lines.join('\n') + '\n';
}
