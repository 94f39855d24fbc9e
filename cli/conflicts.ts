import { createDynamoClient } from '../shared/aws/index.ts';
import {
  type TableDeps,
  acceptConflict,
  keepPublished,
  type Settlement,
  listConflicts,
  type Conflict,
} from '../shared/store/index.ts';
import {
  CommandFailure,
  defineCommand,
  messageOf,
  UsageError,
  type RunContext,
} from './command.ts';
import { closeTarget, localTarget } from './target.ts';

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
export const conflictsCommand = defineCommand({
  program: 'imr conflicts',
  usage: CONFLICTS_HELP,
  options: {
    accept: { type: 'string' },
    keep: { type: 'boolean', default: false },
    'data-dir': { type: 'string', default: '.data' },
    table: { type: 'string' },
  },
  positionals: true,
  check({ values, positionals }) {
    const [verb, caseId, ...extra] = positionals;
    if (verb !== undefined && verb !== 'resolve') throw new UsageError(`unknown action "${verb}"`);
    if (verb === 'resolve') {
      if (caseId === undefined || extra.length > 0) {
        throw new UsageError('resolve takes one case number');
      }
      if ((values.accept === undefined) === !values.keep) {
        throw new UsageError('resolve takes either --accept ORG or --keep');
      }
    } else if (values.accept !== undefined || values.keep) {
      throw new UsageError('--accept and --keep go with "resolve CASE"');
    }
    return { caseId, accept: values.accept, dataDir: values['data-dir'], table: values.table };
  },
  async run({ caseId, accept, dataDir, table: tableName }, { io, hold }) {
    const table = await openTable(tableName, dataDir, hold);
    try {
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
        accept === undefined
          ? await keepPublished(table, caseId)
          : await acceptConflict(table, caseId, accept, now);
      const line = describeSettlement(caseId, settled);
      if (settled.kind === 'no-conflict') throw new CommandFailure(line);
      io.stdout.write(`${line}\n`);
      return 0;
    } catch (e) {
      // Once the table is open, whatever stops the command is told in one line.
      if (e instanceof CommandFailure) throw e;
      throw new CommandFailure(messageOf(e), { cause: e });
    }
  },
});

/** The table on AWS (--table) or the local stack's, closed when the command ends. */
async function openTable(
  tableName: string | undefined,
  dataDir: string,
  hold: RunContext['hold'],
): Promise<TableDeps> {
  if (tableName !== undefined) {
    const table = { client: createDynamoClient(), tableName, where: tableName };
    return hold(table, (t) => t.client.destroy());
  }
  const target = hold(await localTarget(dataDir), closeTarget);
  if (target.table === null) throw new Error('a local target always has a table');
  return target.table;
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
