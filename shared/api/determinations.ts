import { z } from 'zod';
import { NotFoundError } from '../errors.ts';
import { caseIdOfKey, readDetermination, readRecentPage } from '../store/index.ts';
import { openCursor, queryContext, sealCursor } from './cursor.ts';
import type { ApiDeps } from './deps.ts';
import { DEFAULT_LIMIT, type listDeterminationsQuerySchema } from './params.ts';
import { publicDetermination } from '../privacy/index.ts';
import type { DeterminationsPage, PublicDetermination } from './schemas.ts';

/** A case's public record; 404 when no letter of that case has been ingested. */
export async function getDetermination(
  deps: ApiDeps,
  caseNumber: string,
): Promise<PublicDetermination> {
  // Case numbers are stored upper case ("CM16-..."); identifiers of unnumbered letters lower.
  const id = /^x-/i.test(caseNumber)
    ? `X-${caseNumber.slice(2).toLowerCase()}`
    : caseNumber.toUpperCase();
  const record = await readDetermination(deps.table, id);
  if (record === null) throw new NotFoundError(`no determination with case number ${id}`);
  return publicDetermination(id, record);
}

const positionSchema = z.object({
  years: z.array(z.string()),
  after: z.object({ pk: z.string(), sk: z.string() }).nullable(),
});

/** Recent determinations, newest decision first. */
export async function listDeterminations(
  deps: ApiDeps,
  query: z.output<typeof listDeterminationsQuerySchema>,
): Promise<DeterminationsPage> {
  const limit = query.limit ?? DEFAULT_LIMIT;
  const context = queryContext('determinations', { limit });
  let { years, after } =
    query.cursor === undefined
      ? { years: await deps.years(), after: null }
      : openCursor(deps.cursorKey, context, query.cursor, positionSchema);
  const out: DeterminationsPage['determinations'] = [];
  let leftOver = false;
  while (years.length > 0 && out.length < limit) {
    // One more than needed: a page that ends exactly at the end of the list knows it.
    const page = await readRecentPage(deps.table, {
      year: years[0]!,
      after,
      limit: limit - out.length + 1,
    });
    for (const d of page.determinations) {
      if (out.length === limit) {
        leftOver = true;
        break;
      }
      const r = d.record;
      out.push({
        caseNumber: caseIdOfKey(d.position.pk),
        decisionDate: r.dates.decision,
        outcome: r.outcome,
        specialties: r.reviewer.specialties,
        items: r.issues.map((i) => ({
          ordinal: i.ordinal,
          request: i.request,
          decision: i.decision,
          category: i.category,
        })),
      });
      after = d.position;
    }
    if (!leftOver && !page.more) {
      years = years.slice(1);
      after = null;
    }
  }
  const position = { years, after };
  return {
    determinations: out,
    cursor: years.length > 0 ? sealCursor(deps.cursorKey, context, position) : null,
  };
}
