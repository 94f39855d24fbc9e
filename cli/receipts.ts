import { z } from 'zod';
import { s3LetterObjects } from '../shared/ingest/index.ts';
import {
  listOrganisations,
  readReceipts,
  rollupDays,
  daySchema,
  organisationReceiptsPrefix,
  RECEIPTS_PREFIX,
  type Receipt,
} from '../shared/receipts/index.ts';
import { defineCommand, optionValue, UsageError, type Io } from './command.ts';
import {
  awsTarget,
  closeTarget,
  isAccessDenied,
  localTarget,
  organisationOption,
  type Target,
} from './target.ts';

export const RECEIPTS_HELP = `Usage: imr receipts [--org NAME] [--failed] [--since DATE] [--data-dir DIR | --bucket NAME]
       imr receipts rollup [--date YYYY-MM-DD] [--org NAME] [--data-dir DIR | --bucket NAME --table NAME]

Lists the receipts ingestion wrote for uploaded files (receipts/<org>/<path>.json): a table of
key, status, case number, items and failure reason, then why each failed file failed.

"imr receipts rollup" writes the daily roll-up of each organisation, receipts/<org>/daily/
YYYY-MM-DD.csv (one row per file whose status was recorded that UTC day, and a totals row),
from the upload records; on AWS a daily schedule does this for the day before.

Options:
  --org NAME        one organisation (default: every organisation; on AWS an organisation's
                    credentials can read only its own receipts, so give it there)
  --failed          only files that failed
  --since DATE      only receipts recorded since DATE (YYYY-MM-DD, UTC, or an ISO time)
  --date DAY        rollup: the UTC day to roll up (default: today, so far)
  --data-dir DIR    the local stack started by "npm start" with this data dir (default: .data)
  --bucket NAME     the S3 bucket on AWS instead, with the usual AWS credentials
  --table NAME      rollup on AWS: the table holding the upload records

Exit status: 0 on success, 1 when the receipts cannot be read, 2 on a usage error.
`;

const sinceSchema = z.union([daySchema, z.iso.datetime({ offset: true })]);

/** `imr receipts`: lists receipts, or (`rollup`) writes the daily roll-up. */
export const receiptsCommand = defineCommand({
  program: 'imr receipts',
  usage: RECEIPTS_HELP,
  options: {
    org: { type: 'string' },
    failed: { type: 'boolean', default: false },
    since: { type: 'string' },
    date: { type: 'string' },
    'data-dir': { type: 'string', default: '.data' },
    bucket: { type: 'string' },
    table: { type: 'string' },
  },
  positionals: true,
  check: (parsed) => parsed,
  async run({ values, positionals }, { io, hold }) {
    const [sub, ...extra] = positionals;
    if (sub !== undefined && sub !== 'rollup') {
      throw new UsageError(`unknown argument "${sub}" (did you mean "imr receipts rollup"?)`);
    }
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
    const org = organisationOption(values.org);
    if (sub === 'rollup') {
      if (values.failed || values.since !== undefined) {
        throw new UsageError('--failed and --since are for listing, not for rollup');
      }
      const day = optionValue(
        values.date ?? new Date().toISOString().slice(0, 10),
        daySchema,
        `--date "${values.date}" must be a day, YYYY-MM-DD`,
      );
      if (values.bucket !== undefined && values.table === undefined) {
        throw new UsageError('rollup on AWS reads the upload records: give --table NAME');
      }
      return rollup(hold(await targetOf(values), closeTarget), day, org, io);
    }
    if (values.date !== undefined) throw new UsageError('--date is for "imr receipts rollup"');
    let since: Date | undefined;
    if (values.since !== undefined) {
      const given = optionValue(
        values.since,
        sinceSchema,
        `--since "${values.since}" must be a day (YYYY-MM-DD) or an ISO time`,
      );
      // A bare day is its start in UTC, as receipts' times are.
      since = new Date(given.length === 10 ? `${given}T00:00:00Z` : given);
    }
    const target = hold(await targetOf(values), closeTarget);
    return list(target, { org, failed: values.failed, since }, io);
  },
  explain: (e, where) =>
    isAccessDenied(e)
      ? `${where ?? 'the bucket'} refused to list or read the receipts (${e.name}); ` +
        "an organisation's credentials can read only receipts/<org>/: pass --org."
      : undefined,
});

function targetOf(values: {
  'data-dir': string;
  bucket?: string | undefined;
  table?: string | undefined;
}): Promise<Target> {
  return values.bucket === undefined
    ? localTarget(values['data-dir'])
    : Promise.resolve(awsTarget(values.bucket, values.table));
}

async function list(
  target: Target,
  filter: { org: string | undefined; failed: boolean; since: Date | undefined },
  io: Io,
): Promise<number> {
  const prefix =
    filter.org === undefined ? RECEIPTS_PREFIX : organisationReceiptsPrefix(filter.org);
  const { receipts, unreadable } = await readReceipts(
    target.s3,
    target.bucket,
    prefix,
    filter.since === undefined ? {} : { since: filter.since },
  );
  if (unreadable.length > 0) {
    io.stderr.write(
      `imr receipts: ${unreadable.length} object(s) under ${prefix} are not receipts and were ` +
        `left out: ${unreadable.slice(0, 5).join(', ')}${unreadable.length > 5 ? ', ...' : ''}\n`,
    );
  }
  const shown = filter.failed ? receipts.filter((r) => r.status === 'failed') : receipts;
  const scope =
    `under ${prefix} in ${target.where}` +
    (filter.since === undefined ? '' : ` since ${filter.since.toISOString()}`);
  if (shown.length === 0) {
    io.stdout.write(`No ${filter.failed ? 'failed ' : ''}receipts ${scope}.\n`);
    return 0;
  }
  io.stdout.write(receiptTable(shown));
  const count = (s: Receipt['status']): number => shown.filter((r) => r.status === s).length;
  io.stdout.write(
    `\n${shown.length} receipt${shown.length === 1 ? '' : 's'} ${scope}: ${count('parsed')} ` +
      `parsed, ${count('duplicate')} duplicate, ${count('replaced')} replaced, ` +
      `${count('conflict')} conflict, ${count('failed')} failed\n`,
  );
  const failed = shown.filter((r) => r.status === 'failed');
  if (failed.length > 0) {
    io.stdout.write('\nWhy they failed:\n');
    for (const r of failed) io.stdout.write(`  ${r.key}: ${r.message ?? r.reason ?? 'unknown'}\n`);
  }
  return 0;
}

/** Receipts as an aligned text table: key, status, case number, items, reason. */
export function receiptTable(receipts: readonly Receipt[]): string {
  const rows = [
    ['KEY', 'STATUS', 'CASE', 'ITEMS', 'REASON'],
    ...receipts.map((r) => [
      r.key,
      r.status,
      r.caseNumber ?? '',
      r.items === null ? '' : String(r.items),
      r.reason ?? '',
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .map((line) => `${line}\n`)
    .join('');
}

async function rollup(
  target: Target,
  day: string,
  org: string | undefined,
  io: Io,
): Promise<number> {
  // Checked by the caller: a local target always has its table, and on AWS --table is required.
  if (target.table === null) throw new UsageError('rollup reads the upload records: give --table');
  const deps = {
    table: target.table,
    objects: s3LetterObjects(target.s3),
    bucket: target.bucket,
    organisations: () => listOrganisations(target.s3, target.bucket),
  };
  const done = await rollupDays(deps, day, org === undefined ? undefined : [org]);
  if (done.length === 0)
    io.stdout.write(`No organisation has uploaded anything to ${target.where}.\n`);
  for (const r of done) {
    io.stdout.write(
      r.key === null
        ? `${r.organisation}: nothing recorded on ${day}; no roll-up written\n`
        : `${r.organisation}: ${r.key} (${r.files} files, ${r.failed} failed)\n`,
    );
  }
  return 0;
}
