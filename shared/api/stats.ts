import type { z } from 'zod';
import { statistics, type StatsResult } from '../stats/statistics.ts';
import type { ApiDeps } from './deps.ts';
import { checkRange, dayOf, type statsQuerySchema } from './params.ts';

/** Statistics for `/api/stats`: dates narrow to whole months, since counters are monthly. */
export function getStats(
  deps: ApiDeps,
  query: z.output<typeof statsQuerySchema>,
): Promise<StatsResult> {
  const from = query.from === undefined ? undefined : dayOf('from', query.from, 'first');
  const to = query.to === undefined ? undefined : dayOf('to', query.to, 'last');
  checkRange(from ?? null, to ?? null);
  return statistics(deps.table, {
    by: query.by,
    ...(query.category === undefined ? {} : { category: query.category }),
    ...(from === undefined ? {} : { from: from.slice(0, 7) }),
    ...(to === undefined ? {} : { to: to.slice(0, 7) }),
  });
}
