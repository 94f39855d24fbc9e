import { type TableDeps, determinationsOfYear } from '../store/index.ts';
import type { ExportBucket } from './bucket.ts';
import { itemCsvHeader, itemCsvLine, ItemParquetWriter, itemRows } from './items.ts';
import type { JobTotals, YearDone } from './job.ts';
import { FileSink, type WrittenFile } from './sink.ts';
import {
  CSV_TYPE,
  itemsPath,
  JSON_TYPE,
  PARQUET_TYPE,
  snapshotPrefix,
  STATISTICS_JSON_PATH,
  statisticsCsvPath,
  type FileEntry,
} from './snapshots.ts';
import { allStatistics, statisticsCsv, statisticsJson } from './statistics-files.ts';

// A snapshot's data files (docs/EXPORTS.md, "Layout of the exports bucket" and "Bounded
// memory"): the statistics files, and each decision year's item files (CSV and Parquet) streamed
// from its GSI1 partition. Each file is a pure function of the table's content; which of them are
// done is the job's business, not this module's.

export interface DatasetDeps {
  table: TableDeps;
  bucket: ExportBucket;
}

export interface FileOptions {
  /** Bytes per multipart upload part. */
  partSize: number;
  /** Rows per Parquet row group: the most rows held in memory per year. */
  rowGroupSize: number;
}

/** The statistics files written, the dated decision years they list and the overall counts. */
export interface WrittenStatistics {
  files: FileEntry[];
  years: string[];
  totals: JobTotals;
}

/** Reads every dimension's statistics and writes their files (a CSV each, and one JSON). */
export async function writeStatistics(
  deps: DatasetDeps,
  snapshot: string,
  o: Pick<FileOptions, 'partSize'>,
): Promise<WrittenStatistics> {
  const results = await allStatistics(deps.table);
  const files: FileEntry[] = [];
  for (const result of results) {
    const path = statisticsCsvPath(result.by);
    const written = await writeText(
      deps.bucket,
      snapshot,
      path,
      statisticsCsv(result),
      CSV_TYPE,
      o.partSize,
    );
    files.push({
      ...entry(written, path, 'csv', 'statistics', result.groups.length),
      dimension: result.by,
    });
  }
  const json = await writeText(
    deps.bucket,
    snapshot,
    STATISTICS_JSON_PATH,
    statisticsJson(results),
    JSON_TYPE,
    o.partSize,
  );
  const groups = results.reduce((n, r) => n + r.groups.length, 0);
  files.push(entry(json, STATISTICS_JSON_PATH, 'json', 'statistics', groups));
  const years = results.find((r) => r.by === 'year')?.groups.map((g) => g.key) ?? [];
  const totals = results.find((r) => r.by === 'category')?.totals;
  if (totals === undefined) throw new Error('statistics by category were not read');
  return { files, years, totals };
}

/**
 * One decision year as a CSV and a Parquet file, from one read of its determinations; null
 * when `stop` said to stop first (nothing of it is kept).
 */
export async function exportYear(
  deps: DatasetDeps,
  o: FileOptions,
  snapshot: string,
  year: string,
  stop: () => boolean,
): Promise<YearDone | null> {
  const prefix = snapshotPrefix(snapshot);
  const csvPath = itemsPath(year, 'csv');
  const parquetPath = itemsPath(year, 'parquet');
  const csv = new FileSink(deps.bucket, prefix + csvPath, CSV_TYPE, o.partSize);
  const parquet = new ItemParquetWriter(
    new FileSink(deps.bucket, prefix + parquetPath, PARQUET_TYPE, o.partSize),
    o.rowGroupSize,
  );
  const drop = (): Promise<unknown> => Promise.all([csv.abort(), parquet.abort()]);
  let letters = 0;
  try {
    await csv.write(Buffer.from(itemCsvHeader(), 'utf8'));
    for await (const page of determinationsOfYear(deps.table, year)) {
      if (stop()) {
        await drop();
        return null;
      }
      const rows = page.flatMap((d) => itemRows(d.caseId, d.record));
      letters += page.length;
      if (rows.length === 0) continue;
      await csv.write(Buffer.from(rows.map(itemCsvLine).join(''), 'utf8'));
      await parquet.add(rows);
    }
    const items = parquet.rows;
    if (items === 0) {
      // A year without items (usually: no undated letters) has no files.
      await drop();
      return { letters, items, files: [] };
    }
    const csvWritten = await csv.close();
    const parquetWritten = await parquet.close();
    return {
      letters,
      items,
      files: [
        { ...entry(csvWritten, csvPath, 'csv', 'items', items), year },
        { ...entry(parquetWritten, parquetPath, 'parquet', 'items', items), year },
      ],
    };
  } catch (e) {
    await drop();
    throw e;
  }
}

async function writeText(
  bucket: ExportBucket,
  snapshot: string,
  path: string,
  text: string,
  contentType: string,
  partSize: number,
): Promise<WrittenFile> {
  const sink = new FileSink(bucket, snapshotPrefix(snapshot) + path, contentType, partSize);
  await sink.write(Buffer.from(text, 'utf8'));
  return sink.close();
}

function entry(
  written: WrittenFile,
  path: string,
  format: FileEntry['format'],
  kind: FileEntry['kind'],
  rows: number,
): FileEntry {
  return {
    path,
    key: written.key,
    format,
    kind,
    rows,
    bytes: written.bytes,
    sha256: written.sha256,
  };
}
