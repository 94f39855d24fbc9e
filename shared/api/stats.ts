import type { z } from 'zod';
import { BadRequestError } from '../errors.ts';
import { subcategoryValue, readTallies } from '../store/index.ts';
import { statistics, type StatsRequest, type StatsResult } from '../stats/index.ts';
import type { ApiDeps } from './deps.ts';
import {
  checkDrug,
  checkRange,
  dayOf,
  resolveSubcategory,
  unknownSpecialty,
  type statsQuerySchema,
} from './params.ts';

type StatsQuery = z.output<typeof statsQuerySchema>;

/** Statistics for `/api/stats`: dates narrow to whole months, since counters are monthly. */
export async function getStats(deps: ApiDeps, query: StatsQuery): Promise<StatsResult> {
  const from = query.from === undefined ? undefined : dayOf('from', query.from, 'first');
  const to = query.to === undefined ? undefined : dayOf('to', query.to, 'last');
  checkRange(from ?? null, to ?? null);
  const filter = await trendFilter(deps, query);
  const category =
    query.subcategory !== undefined
      ? resolveSubcategory(query.category, query.subcategory)
      : query.category;
  return statistics(deps.table, {
    by: query.by,
    ...(category === undefined ? {} : { category }),
    ...(filter === undefined ? {} : { filter }),
    ...(from === undefined ? {} : { from: from.slice(0, 7) }),
    ...(to === undefined ? {} : { to: to.slice(0, 7) }),
  });
}

const FILTERS = ['subcategory', 'drug', 'specialty', 'guideline'] as const;

/** The one filter narrowing a time series, checked as /api/items checks the same values. */
async function trendFilter(
  deps: ApiDeps,
  query: StatsQuery,
): Promise<StatsRequest['filter'] | undefined> {
  const given = FILTERS.filter((f) => query[f] !== undefined);
  if (given.length === 0) return undefined;
  const [name, second] = given as [(typeof FILTERS)[number], ...(typeof FILTERS)[number][]];
  if (query.by !== 'month' && query.by !== 'year') {
    throw new BadRequestError(name, `${name} narrows by=month or by=year only`);
  }
  if (second !== undefined) {
    throw new BadRequestError(
      second,
      `${second} cannot be given with ${name}: give one of ${FILTERS.join(', ')}`,
    );
  }
  switch (name) {
    case 'subcategory': {
      const category = resolveSubcategory(query.category, query.subcategory!);
      return { dimension: 'subcategory', value: subcategoryValue(category, query.subcategory!) };
    }
    case 'drug': {
      const drug = checkDrug(query.drug!);
      if (query.category !== undefined && query.category !== 'Pharmaceuticals') {
        throw new BadRequestError(
          'category',
          'category must be Pharmaceuticals or left out with a drug: a drug is a Pharmaceuticals item',
        );
      }
      return { dimension: 'drug', value: drug };
    }
    case 'specialty': {
      const [t] = await readTallies(deps.table, [
        { dimension: 'specialty', value: query.specialty! },
      ]);
      if (t === undefined || t.upheld + t.overturned === 0)
        throw unknownSpecialty(query.specialty!);
      return { dimension: 'specialty', value: query.specialty! };
    }
    case 'guideline':
      return { dimension: 'citation', value: query.guideline! };
  }
}
