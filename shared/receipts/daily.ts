import { z } from 'zod';
import { csvLine } from '../csv.ts';
import {
  type TableDeps,
  listOrganisationUploadsBetween,
  uploadStatusSchema,
  type UploadRecord,
} from '../store/index.ts';
import { dailyRollupKey, receiptFor, type Receipt } from './receipt.ts';
import type { ObjectWriter } from './write.ts';

// The daily roll-up: one CSV per organisation and UTC day, `receipts/<org>/daily/YYYY-MM-DD.csv`,
// one row per file whose latest status was recorded that day, then a totals row. It is read from
// the organisation's own GSI1 partitions (ORG#<org>#<status>, sorted by time), so it costs four
// queries per page however many organisations there are, and holds nothing of anyone else's.

/** A UTC calendar day, "YYYY-MM-DD". */
export const daySchema = z.iso.date();

/** RFC 4180's media type, with the header row it allows to be declared. */
export const CSV_CONTENT_TYPE = 'text/csv; charset=utf-8; header=present';

const COLUMNS = [
  'file',
  'status',
  'case_number',
  'items',
  'outcome',
  'reason',
  'message',
  'content_hash',
  'recorded_at',
] as const;

export interface RollupDeps {
  table: TableDeps;
  objects: ObjectWriter;
  bucket: string;
}

/** What one organisation's roll-up of one day came to. */
export interface DailyRollup {
  organisation: string;
  day: string;
  /** Where the CSV was written; null when nothing was recorded that day (no file is written). */
  key: string | null;
  files: number;
  failed: number;
}

/**
 * The roll-up CSV of some receipts: a header row, one row per file (oldest first), and a totals
 * row whose file column is `TOTAL`. Lines end in CRLF, as RFC 4180 has it.
 */
export function dailyCsv(receipts: readonly Receipt[]): string {
  const rows = [...receipts].sort((a, b) => compare(a.time, b.time) || compare(a.key, b.key));
  const count = (status: Receipt['status']): number =>
    rows.filter((r) => r.status === status).length;
  const summary =
    `${rows.length} files: ${count('parsed')} parsed, ${count('duplicate')} duplicate, ` +
    `${count('replaced')} replaced, ${count('conflict')} conflict, ${count('failed')} failed`;
  const items = rows.reduce((sum, r) => sum + (r.items ?? 0), 0);
  const lines = [
    csvLine(COLUMNS),
    ...rows.map((r) =>
      csvLine([
        r.key,
        r.status,
        r.caseNumber,
        r.items,
        r.outcome,
        r.reason,
        r.message,
        r.contentHash,
        r.time,
      ]),
    ),
    csvLine(['TOTAL', summary, null, items, null, null, null, null, null]),
  ];
  return lines.join('');
}

/**
 * Builds and writes one organisation's roll-up of one UTC day from its upload records. A day
 * with no upload writes nothing.
 */
export async function rollupDay(
  deps: RollupDeps,
  organisation: string,
  day: string,
): Promise<DailyRollup> {
  daySchema.parse(day);
  const pages = await Promise.all(
    uploadStatusSchema.options.map((status) =>
      listOrganisationUploadsBetween(deps.table, organisation, status, day, day),
    ),
  );
  // The four queries are not one snapshot: a status that changed between two of them can show
  // in both partitions. Keep each key's latest.
  const latest = new Map<string, UploadRecord>();
  for (const upload of pages.flat()) {
    const seen = latest.get(upload.key);
    if (seen === undefined || seen.updatedAt < upload.updatedAt) latest.set(upload.key, upload);
  }
  const receipts = [...latest.values()].map(receiptFor);
  const failed = receipts.filter((r) => r.status === 'failed').length;
  if (receipts.length === 0) return { organisation, day, key: null, files: 0, failed };
  const key = dailyRollupKey(organisation, day);
  await deps.objects.put(deps.bucket, key, dailyCsv(receipts), CSV_CONTENT_TYPE);
  return { organisation, day, key, files: receipts.length, failed };
}

/**
 * Rolls up one day for each organisation (all of them when none are named), one after another:
 * each is a few queries.
 */
export async function rollupDays(
  deps: RollupDeps & { organisations(): Promise<string[]> },
  day: string,
  only?: readonly string[],
): Promise<DailyRollup[]> {
  const out: DailyRollup[] = [];
  for (const organisation of only ?? (await deps.organisations())) {
    out.push(await rollupDay(deps, organisation, day));
  }
  return out;
}

/** The UTC day before the one `time` (ISO 8601) falls on: what a run after midnight rolls up. */
export function dayBefore(time: string): string {
  const start = Date.parse(`${daySchema.parse(time.slice(0, 10))}T00:00:00Z`);
  return new Date(start - 24 * 60 * 60 * 1000).toISOString().slice(0, 10);
}

// Code-unit order: the same on every machine, unlike localeCompare.
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
