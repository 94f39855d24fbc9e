import { S3ServiceException } from '@aws-sdk/client-s3';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { ORGANISATION_NAME } from '../shared/ingest/upload-key.ts';
import { s3LetterObjects } from '../shared/ingest/letter-objects.ts';
import { listOrganisations, readReceipts } from '../shared/receipts/bucket.ts';
import { rollupDays, daySchema } from '../shared/receipts/daily.ts';
import {
  organisationReceiptsPrefix,
  RECEIPTS_PREFIX,
  type Receipt,
} from '../shared/receipts/receipt.ts';
import { awsTarget, closeTarget, localTarget, UsageError, type Io, type Target } from './target.ts';

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
export async function receiptsCommand(args: readonly string[], io: Io): Promise<number> {
  let options;
  try {
    options = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        org: { type: 'string' },
        failed: { type: 'boolean', default: false },
        since: { type: 'string' },
        date: { type: 'string' },
        'data-dir': { type: 'string', default: '.data' },
        bucket: { type: 'string' },
        table: { type: 'string' },
      },
    });
  } catch (e) {
    io.stderr.write(
      `imr receipts: ${e instanceof Error ? e.message : String(e)}\n\n${RECEIPTS_HELP}`,
    );
    return 2;
  }
  const { values, positionals } = options;
  let target: Target | undefined;
  try {
    const [sub, ...extra] = positionals;
    if (sub !== undefined && sub !== 'rollup') {
      throw new UsageError(`unknown argument "${sub}" (did you mean "imr receipts rollup"?)`);
    }
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
    const org = values.org;
    if (org !== undefined && !ORGANISATION_NAME.test(org)) {
      throw new UsageError(`--org "${org}" must be letters, digits, ".", "_" or "-"`);
    }
    if (sub === 'rollup') {
      if (values.failed || values.since !== undefined) {
        throw new UsageError('--failed and --since are for listing, not for rollup');
      }
      const day = values.date ?? new Date().toISOString().slice(0, 10);
      if (!daySchema.safeParse(day).success) {
        throw new UsageError(`--date "${day}" must be a day, YYYY-MM-DD`);
      }
      if (values.bucket !== undefined && values.table === undefined) {
        throw new UsageError('rollup on AWS reads the upload records: give --table NAME');
      }
      target = await targetOf(values);
      return await rollup(target, day, org, io);
    }
    if (values.date !== undefined) throw new UsageError('--date is for "imr receipts rollup"');
    let since: Date | undefined;
    if (values.since !== undefined) {
      const parsed = sinceSchema.safeParse(values.since);
      if (!parsed.success) {
        throw new UsageError(`--since "${values.since}" must be a day (YYYY-MM-DD) or an ISO time`);
      }
      // A bare day is its start in UTC, as receipts' times are.
      since = new Date(parsed.data.length === 10 ? `${parsed.data}T00:00:00Z` : parsed.data);
    }
    target = await targetOf(values);
    return await list(target, { org, failed: values.failed, since }, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`imr receipts: ${e.message}\n`);
      return 2;
    }
    if (e instanceof S3ServiceException && e.$metadata.httpStatusCode === 403) {
      io.stderr.write(
        `imr receipts: ${target?.where ?? 'the bucket'} refused to list or read the receipts ` +
          `(${e.name}); an organisation's credentials can read only receipts/<org>/: pass --org.\n`,
      );
      return 1;
    }
    throw e;
  } finally {
    if (target !== undefined) closeTarget(target);
  }
}

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
