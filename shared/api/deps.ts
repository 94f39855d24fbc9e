import type { ExportBucket } from '../export/index.ts';
import type { Logger } from '../logger.ts';
import { type TableDeps, ALL_VALUE, UNDATED_YEAR, readTallies, readStats } from '../store/index.ts';
import { cursorKey } from './cursor.ts';

/** What the API's endpoints read from, created once per process. */
export interface ApiDeps {
  table: TableDeps;
  /** Key that seals page cursors (see cursor.ts); null in a function whose endpoint never pages. */
  cursorKey: Buffer | null;
  /** Decision years that hold items, newest first, "0000" (undated) last when present. */
  years(): Promise<string[]>;
  logger: Logger;
  /** The statistics exports bucket; null where the API is run without one. */
  exports: ExportBucket | null;
}

/** How long the list of decision years is reused: a new year appears rarely, reads are many. */
const YEARS_TTL_MS = 60_000;

export function createApiDeps(options: {
  table: TableDeps;
  /** null: this process serves no endpoint that pages (endpoints.ts `pages`). */
  cursorSecret: string | null;
  logger: Logger;
  exports?: ExportBucket | null;
}): ApiDeps {
  let cached: { at: number; years: Promise<string[]> } | null = null;
  return {
    table: options.table,
    cursorKey: options.cursorSecret === null ? null : cursorKey(options.cursorSecret),
    logger: options.logger,
    exports: options.exports ?? null,
    years() {
      const now = Date.now();
      if (cached === null || now - cached.at > YEARS_TTL_MS) {
        const years = decisionYears(options.table);
        cached = { at: now, years };
        // A failed read is not remembered: the next request tries again.
        years.catch(() => {
          if (cached?.years === years) cached = null;
        });
      }
      return cached.years;
    },
  };
}

/** The years with decisions, from the monthly total counters (4 Queries and 1 BatchGetItem). */
export async function decisionYears(table: TableDeps): Promise<string[]> {
  const [months, [allTime]] = await Promise.all([
    readStats(table, { dimension: 'total', from: '0000-00', to: '9999-99' }),
    readTallies(table, [{ dimension: 'total', value: ALL_VALUE }]),
  ]);
  const years = new Set<string>();
  let dated = 0;
  for (const [month, values] of months.byMonth) {
    const t = values.get(ALL_VALUE);
    if (t === undefined || t.upheld + t.overturned === 0) continue;
    years.add(month.slice(0, 4));
    dated += t.upheld + t.overturned;
  }
  const sorted = [...years].sort().reverse();
  // Items without a decision date have all-time counters only.
  if (allTime !== undefined && allTime.upheld + allTime.overturned > dated)
    sorted.push(UNDATED_YEAR);
  return sorted;
}
