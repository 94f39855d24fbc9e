import {
  subcategoryValue,
  type ItemSummary,
  type StatsDimension,
  readIndexPage,
  readTallies,
  readStats,
} from '../store/index.ts';
import { requestTerms, terms } from '../search/index.ts';
import { rate } from '../stats/index.ts';
import { guidelineLabel, isGuidelineId, classifyRequest } from '../taxonomy/index.ts';
import type { ApiDeps } from './deps.ts';
import { publicItem } from './items.ts';
import type { Similar } from './schemas.ts';

// "What happened to requests like mine?" The rate comes from the counters of the narrowest group
// the request falls in that has enough decisions to mean something; the examples come from the
// term index, ranked by how many words they share with the request.

/** A rate resting on fewer decisions than this gives way to the next wider group. */
export const MIN_BASIS = 30;
const SIMILAR_ITEMS = 10;
/** Guidelines listed on each side of "what reviewers cite". */
const CITED_GUIDELINES = 5;
/** Words of the request whose index is read for examples, and entries read per word. */
const WORDS_READ = 4;
const ENTRIES_PER_READ = 40;

type Level = Similar['basis'];

/** The classification, overturn rate and closest past items for a planned request. */
export async function similarRequests(deps: ApiDeps, request: string): Promise<Similar> {
  const c = classifyRequest(request);
  const levels: { dimension: Level['dimension'] & StatsDimension; key: string; label: string }[] =
    [];
  if (c.drug !== null) levels.push({ dimension: 'drug', key: c.drug, label: c.drug });
  if (c.subcategory !== null) {
    levels.push({
      dimension: 'subcategory',
      key: subcategoryValue(c.category, c.subcategory),
      label: `${c.subcategory} (${c.category})`,
    });
  }
  levels.push({ dimension: 'category', key: c.category, label: c.category });

  const words = requestTerms(request, c.drug);
  const [tallies, similar, cited] = await Promise.all([
    readTallies(
      deps.table,
      levels.map((l) => ({ dimension: l.dimension, value: l.key })),
    ),
    closestItems(deps, words, c.drug, c.category, c.subcategory),
    readStats(deps.table, { dimension: 'citation', category: c.category }),
  ]);
  const alternatives = levels.map((l, i) => ({ ...l, ...rate(tallies[i]!) }));
  const basis =
    alternatives.find((a) => a.total >= MIN_BASIS) ??
    alternatives.reduce((a, b) => (b.total > a.total ? b : a));
  return {
    request,
    classification: {
      category: c.category,
      subcategory: c.subcategory,
      drug: c.drug,
      bodyRegion: c.bodyRegion,
    },
    basis,
    alternatives,
    citations: reviewerCitations(c.category, alternatives[alternatives.length - 1]!, cited.groups),
    similar,
  };
}

/**
 * The guidelines reviewers cited most in the category's overturned and in its upheld decisions.
 * Citations are counted per category (not per drug or subcategory), so this is the category's.
 */
function reviewerCitations(
  category: string,
  totals: { upheld: number; overturned: number },
  groups: ReadonlyMap<string, { upheld: number; overturned: number }>,
): Similar['citations'] {
  const side = (decision: 'upheld' | 'overturned') => ({
    decisions: totals[decision],
    guidelines: [...groups]
      .filter(([key, t]) => isGuidelineId(key) && t[decision] > 0)
      .map(([key, t]) => ({
        key,
        label: isGuidelineId(key) ? guidelineLabel(key) : key,
        count: t[decision],
        share:
          totals[decision] === 0
            ? 0
            : Math.round((t[decision] / totals[decision]) * 10_000) / 10_000,
      }))
      .sort((a, b) => b.count - a.count || a.key.localeCompare(b.key))
      .slice(0, CITED_GUIDELINES),
  });
  return {
    scope: { dimension: 'category', key: category, label: category },
    overturned: side('overturned'),
    upheld: side('upheld'),
  };
}

async function closestItems(
  deps: ApiDeps,
  words: string[],
  drug: string | null,
  category: string,
  subcategory: string | null,
): Promise<Similar['similar']> {
  if (words.length === 0) return [];
  // The drug's own words first (they name the treatment), then the request's leading words.
  const drugWords = drug === null ? [] : drug.split('/').flatMap((d) => terms(d));
  const chosen = [...new Set([...drugWords, ...words])].slice(0, WORDS_READ);
  const years = (await deps.years()).slice(0, 2);
  const found = new Map<string, ItemSummary>();
  for (const year of years) {
    const pages = await Promise.all(
      chosen.flatMap((word) =>
        (['overturned', 'upheld'] as const).map((decision) =>
          readIndexPage(deps.table, {
            dimension: 'term',
            value: word,
            year,
            decision,
            from: null,
            to: null,
            after: null,
            limit: ENTRIES_PER_READ,
          }),
        ),
      ),
    );
    for (const e of pages.flatMap((p) => p.entries)) {
      found.set(`${e.item.caseNumber}#${e.item.ordinal}`, e.item);
    }
    if (found.size >= SIMILAR_ITEMS * 3) break;
  }
  const wanted = new Set(words);
  return [...found.values()]
    .map((item) => {
      const have = new Set(requestTerms(item.request, item.drug));
      let shared = 0;
      for (const w of wanted) if (have.has(w)) shared++;
      const union = wanted.size + have.size - shared;
      const score =
        shared / union +
        (drug !== null && item.drug === drug ? 0.25 : 0) +
        (subcategory !== null && item.category === category && item.subcategory === subcategory
          ? 0.1
          : 0);
      return { item, score: Math.round(score * 1000) / 1000 };
    })
    .sort(
      (a, b) =>
        b.score - a.score || (b.item.decisionDate ?? '').localeCompare(a.item.decisionDate ?? ''),
    )
    .slice(0, SIMILAR_ITEMS)
    .map(({ item, score }) => ({ ...publicItem(item), score }));
}
