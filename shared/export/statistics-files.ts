import { forEachLimit } from '../concurrency.ts';
import type { TableDeps } from '../store/index.ts';
import { STATS_BY, statistics, type StatsResult } from '../stats/index.ts';
import { csvLine } from '../csv.ts';

// The statistics files come from the function the API's /api/stats serves, so a figure in a file
// is the figure the site shows.

export const STATISTICS_CSV_HEADER = [
  'key',
  'label',
  'upheld',
  'overturned',
  'total',
  'overturnRate',
] as const;

// Each statistics() call is a handful of queries; a few at once keep the table's load even.
const READS_IN_FLIGHT = 3;

/** Every dimension's all-time statistics, in STATS_BY order. */
export async function allStatistics(table: TableDeps): Promise<StatsResult[]> {
  const results = new Map<string, StatsResult>();
  await forEachLimit(STATS_BY, READS_IN_FLIGHT, async (by) => {
    results.set(by, await statistics(table, { by }));
  });
  return STATS_BY.map((by) => {
    const r = results.get(by);
    if (r === undefined) throw new Error(`statistics by ${by} were not read`);
    return r;
  });
}

/** One dimension's groups as CSV (header row; an unknown rate is an empty field). */
export function statisticsCsv(result: StatsResult): string {
  return (
    csvLine(STATISTICS_CSV_HEADER) +
    result.groups
      .map((g) => csvLine([g.key, g.label, g.upheld, g.overturned, g.total, g.overturnRate]))
      .join('')
  );
}

/** Every dimension in one JSON document: each entry is what /api/stats returns for it. */
export function statisticsJson(results: readonly StatsResult[]): string {
  return JSON.stringify({ statistics: results }, null, 2) + '\n';
}
