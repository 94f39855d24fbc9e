import type { Determination, Issue, Citation } from '../record/index.ts';
import { requestTerms } from '../search/index.ts';
import {
  ALL_VALUE,
  indexEntryKey,
  monthOf,
  statsPartition,
  statsShard,
  statsSortKey,
  type IndexDimension,
  type Key,
  type StatsDimension,
} from './keys.ts';

// What one determination adds to the table besides its own record: an index entry per item and
// dimension value, and counter increments. Both are pure functions of the record, so replacing
// or removing a determination can take back exactly what it added.

/** The public summary of an item that every index entry carries (what `/api/items` returns). */
export interface ItemSummary {
  caseNumber: string;
  ordinal: number;
  request: string;
  decision: Issue['decision'];
  category: Issue['category'];
  subcategory: string | null;
  drug: string | null;
  bodyRegion: string | null;
  decisionDate: string | null;
  /** Kept so that a list read through one index can be narrowed by the others without reads. */
  bodyRegions: string[];
  specialties: string[];
}

export interface IndexEntry extends Key {
  item: ItemSummary;
}

/** Subcategory names repeat across categories ("Other"), so their key names the category too. */
export function subcategoryValue(category: string, subcategory: string): string {
  return `${category}|${subcategory}`;
}

/**
 * A citation's statistics value: the guideline's id (one per document and edition, whatever the
 * wording), or source and title for other literature.
 */
export function citationValue(citation: Pick<Citation, 'source' | 'title' | 'guideline'>): string {
  return citation.guideline ?? `${citation.source}|${citation.title}`;
}

/** Items whose reviewer cited nothing are counted under this citation source. */
export const NO_CITATION = 'None';

function itemSummary(id: string, record: Determination, issue: Issue): ItemSummary {
  return {
    caseNumber: id,
    ordinal: issue.ordinal,
    request: issue.request,
    decision: issue.decision,
    category: issue.category,
    subcategory: issue.subcategory,
    drug: issue.drug,
    bodyRegion: issue.bodyRegion,
    decisionDate: record.dates.decision,
    bodyRegions: [...new Set(issue.bodyRegions)],
    specialties: [...new Set(record.reviewer.specialties)],
  };
}

function indexValues(record: Determination, issue: Issue): [IndexDimension, string][] {
  const out: [IndexDimension, string][] = [
    ['all', ALL_VALUE],
    ['category', issue.category],
  ];
  if (issue.subcategory !== null) {
    out.push(['subcategory', subcategoryValue(issue.category, issue.subcategory)]);
  }
  if (issue.drug !== null) out.push(['drug', issue.drug]);
  for (const region of new Set(issue.bodyRegions)) out.push(['bodyRegion', region]);
  for (const specialty of new Set(record.reviewer.specialties)) out.push(['specialty', specialty]);
  for (const term of requestTerms(issue.request, issue.drug)) out.push(['term', term]);
  return out;
}

/** Every index entry of a determination, one per item and dimension value. */
export function indexEntries(id: string, record: Determination): IndexEntry[] {
  const out: IndexEntry[] = [];
  for (const issue of record.issues) {
    const item = itemSummary(id, record, issue);
    for (const [dimension, value] of indexValues(record, issue)) {
      out.push({
        ...indexEntryKey(dimension, value, {
          decision: issue.decision,
          decisionDate: record.dates.decision,
          caseId: id,
          ordinal: issue.ordinal,
        }),
        item,
      });
    }
  }
  return out;
}

export interface CounterDelta extends Key {
  upheld: number;
  overturned: number;
}

// Dimensions also counted within each category, so that "by specialty for Pharmaceuticals" is one
// read. Subcategory and drug already imply their category; total within a category is the
// category counter itself.
// Typed as strings so that readers can ask about any grouping (statistics by month, say).
export const SCOPED_DIMENSIONS: ReadonlySet<string> = new Set<StatsDimension>([
  'specialty',
  'citationSource',
  'citation',
  'bodyRegion',
]);

function statsValues(record: Determination, issue: Issue): [StatsDimension, string][] {
  const out: [StatsDimension, string][] = [
    ['total', ALL_VALUE],
    ['category', issue.category],
  ];
  if (issue.subcategory !== null) {
    out.push(['subcategory', subcategoryValue(issue.category, issue.subcategory)]);
  }
  if (issue.drug !== null) out.push(['drug', issue.drug]);
  for (const specialty of new Set(record.reviewer.specialties)) out.push(['specialty', specialty]);
  const sources = new Set<string>(issue.citations.map((c) => c.source));
  if (sources.size === 0) sources.add(NO_CITATION);
  for (const source of sources) out.push(['citationSource', source]);
  for (const c of new Set(issue.citations.map(citationValue))) {
    out.push(['citation', c]);
  }
  for (const region of new Set(issue.bodyRegions)) out.push(['bodyRegion', region]);
  return out;
}

/**
 * Counter increments for a determination, summed per counter: each item counts once under each
 * value of each dimension, all time and in its decision month, and for the scoped dimensions
 * again within its category. `sign` -1 gives what removing the determination takes back.
 */
export function counterDeltas(id: string, record: Determination, sign: 1 | -1 = 1): CounterDelta[] {
  const shard = statsShard(id);
  const month = monthOf(record.dates.decision);
  const byKey = new Map<string, CounterDelta>();
  const add = (PK: string, SK: string, decision: Issue['decision']): void => {
    const k = `${PK}\u0000${SK}`;
    let d = byKey.get(k);
    if (d === undefined) {
      d = { PK, SK, upheld: 0, overturned: 0 };
      byKey.set(k, d);
    }
    d[decision] += sign;
  };
  for (const issue of record.issues) {
    for (const [dimension, value] of statsValues(record, issue)) {
      const partitions = [statsPartition(dimension, shard)];
      if (SCOPED_DIMENSIONS.has(dimension))
        partitions.push(statsPartition(dimension, shard, issue.category));
      for (const pk of partitions) {
        add(pk, statsSortKey(value, null), issue.decision);
        if (month !== null) add(pk, statsSortKey(value, month), issue.decision);
      }
    }
  }
  return [...byKey.values()];
}

/** Sums two sets of deltas (a removal and an addition), dropping counters left unchanged. */
export function mergeDeltas(...sets: CounterDelta[][]): CounterDelta[] {
  const byKey = new Map<string, CounterDelta>();
  for (const d of sets.flat()) {
    const k = `${d.PK}\u0000${d.SK}`;
    const cur = byKey.get(k);
    if (cur === undefined) byKey.set(k, { ...d });
    else {
      cur.upheld += d.upheld;
      cur.overturned += d.overturned;
    }
  }
  return [...byKey.values()].filter((d) => d.upheld !== 0 || d.overturned !== 0);
}
