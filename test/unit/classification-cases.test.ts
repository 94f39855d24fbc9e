import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readItems } from '../../shared/parser/items.ts';
import { classifyRequest } from '../../shared/taxonomy/classify.ts';
import { CATEGORIES, SUBCATEGORIES, isSubcategoryOf } from '../../shared/taxonomy/vocabulary.ts';
import {
  CLASSIFICATION_CASES,
  MODIFIED_CASES,
  PHRASING_KINDS,
  TOPICS,
  isTopic,
} from '../fixtures/classification-cases.ts';

// The classification test set of test/fixtures/classification-cases.ts: request phrasings written
// from domain knowledge rather than from the corpus, so that the classifier is held to request
// types the corpus never showed.

const what = (request: string): { category: string; subcategory: string | null } => {
  const { category, subcategory } = classifyRequest(request);
  return { category, subcategory };
};

describe('the classification test set', () => {
  it.each(CLASSIFICATION_CASES.map((c) => [c.request, c] as const))('%s', (_, c) => {
    const result = classifyRequest(c.request);
    expect({ category: result.category, subcategory: result.subcategory }).toEqual({
      category: c.category,
      subcategory: c.subcategory,
    });
    if (c.drug !== undefined) expect(result.drug).toBe(c.drug);
    expect(isSubcategoryOf(result.category, result.subcategory)).toBe(true);
  });

  it.each(MODIFIED_CASES.map((c) => [c.sentence, c] as const))('modified: %s', (_, c) => {
    const lines = [
      `${c.sentence}: Upheld`,
      'Claims Administrator guideline: Decision based on MTUS.',
      'MAXIMUS guideline: Decision based on MTUS.',
      'Decision rationale: The request is not medically necessary.',
    ];
    const [item] = readItems(lines);
    expect(item?.request).toBe(c.request);
    const expected = { category: c.category, subcategory: c.subcategory };
    expect(what(item?.request ?? '')).toEqual(expected);
    // A wording the parser fails to split still classifies by what was asked for.
    expect(what(c.sentence)).toEqual(expected);
  });

  it('holds at least 400 phrasings, none twice', () => {
    // A modified case is its whole wording; its remaining portion may repeat a plain case.
    const requests = [
      ...CLASSIFICATION_CASES.map((c) => c.request),
      ...MODIFIED_CASES.map((c) => c.sentence),
    ];
    expect(requests.length).toBeGreaterThanOrEqual(400);
    const seen = new Set<string>();
    const twice = requests.filter((r) => {
      const key = r.toLowerCase().replace(/\s+/g, ' ');
      const repeated = seen.has(key);
      seen.add(key);
      return repeated;
    });
    expect(twice).toEqual([]);
  });

  it('covers every category and subcategory with at least four phrasings', () => {
    for (const category of CATEGORIES) {
      const subs: readonly (string | null)[] = SUBCATEGORIES[category];
      for (const subcategory of subs.length === 0 ? [null] : subs) {
        const n = CLASSIFICATION_CASES.filter(
          (c) => c.category === category && c.subcategory === subcategory,
        ).length;
        expect(n, `${category} / ${subcategory}`).toBeGreaterThanOrEqual(4);
      }
    }
  });

  it.each(PHRASING_KINDS.map((k) => [k.kind, k] as const))(
    'shows the phrasing kind "%s" at least ten times',
    (_, k) => {
      expect(CLASSIFICATION_CASES.filter((c) => k.matches(c)).length).toBeGreaterThanOrEqual(10);
    },
  );

  it.each(TOPICS.map((t) => [t.topic, t] as const))('shows "%s" at least twice', (_, t) => {
    expect(CLASSIFICATION_CASES.filter((c) => isTopic(t, c)).length).toBeGreaterThanOrEqual(2);
  });
});

describe('docs/TAXONOMY.md', () => {
  // Its table: "| Category | Subcategory | `example`; `example` |", the category only on its first row.
  const rows: [string, string | null, string][] = [];
  let category = '';
  const doc = readFileSync(join(import.meta.dirname, '../../docs/TAXONOMY.md'), 'utf8');
  for (const line of doc.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    if (cells.length !== 5 || !cells[3]!.includes('`')) continue;
    category = cells[1] || category;
    const subcategory = cells[2] === '(none)' ? null : cells[2]!;
    for (const m of cells[3]!.matchAll(/`([^`]+)`/g)) rows.push([category, subcategory, m[1]!]);
  }

  it('lists every category and subcategory with two examples', () => {
    for (const c of CATEGORIES) {
      const subs: readonly (string | null)[] = SUBCATEGORIES[c];
      for (const s of subs.length === 0 ? [null] : subs) {
        expect(rows.filter(([rc, rs]) => rc === c && rs === s).length, `${c} / ${s}`).toBe(2);
      }
    }
  });

  it.each(rows)('%s / %s: %s', (category, subcategory, example) => {
    expect(what(example)).toEqual({ category, subcategory });
  });
});
