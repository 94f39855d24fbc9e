import { z } from 'zod';
import { decisionSchema, outcomeSchema } from '../record/index.ts';
import { itemSummarySchema } from '../store/index.ts';
import { STATS_BY, TREND_FILTERS } from '../stats/index.ts';
import { categorySchema } from '../taxonomy/index.ts';

// What the API returns, as zod schemas: the OpenAPI document is generated from them and the
// tests check every response against them. Nothing private has a field here: no organisation,
// upload key or file name.

// A determination's public record is derived, and its schema defined, in one place.
export { publicDeterminationSchema, type PublicDetermination } from '../privacy/index.ts';

// An index entry's summary without the fields kept only for narrowing lists.
export const itemSchema = itemSummarySchema.omit({ bodyRegions: true, specialties: true });
export type PublicItem = z.infer<typeof itemSchema>;

const cursorField = z
  .string()
  .nullable()
  .describe('Pass as `cursor` for the next page; null on the last page.');

export const itemsPageSchema = z.object({
  items: z.array(itemSchema),
  cursor: cursorField,
  total: z
    .number()
    .int()
    .nullable()
    .describe(
      'How many items match in all, when the counters answer it exactly (at most one filter ' +
        'besides decision, no q, no dates); otherwise null.',
    ),
});
export type ItemsPage = z.infer<typeof itemsPageSchema>;

export const determinationSummarySchema = z.object({
  caseNumber: z.string(),
  decisionDate: z.string().nullable(),
  outcome: outcomeSchema,
  specialties: z.array(z.string()),
  items: z.array(
    z.object({
      ordinal: z.number().int(),
      request: z.string(),
      decision: decisionSchema,
      category: categorySchema,
    }),
  ),
});

export const determinationsPageSchema = z.object({
  determinations: z.array(determinationSummarySchema),
  cursor: cursorField,
});
export type DeterminationsPage = z.infer<typeof determinationsPageSchema>;

const rateFields = {
  upheld: z.number().int(),
  overturned: z.number().int(),
  total: z.number().int(),
  overturnRate: z.number().nullable().describe('overturned / total, 4 decimal places'),
  overturnRateLow: z
    .number()
    .nullable()
    .describe('Lower end of the 95% Wilson score interval of the rate (null with the rate)'),
  overturnRateHigh: z
    .number()
    .nullable()
    .describe('Upper end of the 95% Wilson score interval of the rate (null with the rate)'),
};

export const statsSchema = z.object({
  by: z.enum(STATS_BY),
  category: z.string().nullable(),
  filter: z
    .object({
      dimension: z.enum(TREND_FILTERS),
      value: z.string(),
      label: z.string(),
    })
    .nullable()
    .describe(
      'By month or year: the subcategory, drug, specialty or guideline (dimension citation) counted',
    ),
  from: z.string().nullable().describe('First month counted (YYYY-MM), or null: all time'),
  to: z.string().nullable(),
  groups: z.array(
    z.object({
      key: z.string().describe('The value as the items filters take it'),
      label: z.string(),
      ...rateFields,
    }),
  ),
  totals: z.object(rateFields).describe('Every item in scope (groups may overlap)'),
});

const citedSide = z.object({
  decisions: z.number().int().describe('Decisions on this side, cited or not'),
  guidelines: z.array(
    z.object({
      key: z.string().describe('Guideline id (shared/taxonomy/guidelines.ts)'),
      label: z.string(),
      count: z.number().int().describe('Decisions on this side whose reviewer cited it'),
      share: z.number().describe('count / decisions, 4 decimal places'),
    }),
  ),
});

export const similarSchema = z.object({
  request: z.string(),
  classification: z.object({
    category: categorySchema,
    subcategory: z.string().nullable().describe('For pharmaceuticals, the drug class'),
    drug: z.string().nullable(),
    bodyRegion: z.string().nullable(),
  }),
  basis: z
    .object({
      dimension: z.enum(['drug', 'subcategory', 'category']),
      key: z.string(),
      label: z.string(),
      ...rateFields,
    })
    .describe(
      'The overturn rate of past requests like this one: the narrowest group (drug, then drug ' +
        'class or subcategory, then category) with enough decisions to rest on',
    ),
  alternatives: z
    .array(
      z.object({
        dimension: z.enum(['drug', 'subcategory', 'category']),
        key: z.string(),
        label: z.string(),
        ...rateFields,
      }),
    )
    .describe('Every level the request falls in, narrowest first'),
  citations: z
    .object({
      scope: z.object({ dimension: z.literal('category'), key: z.string(), label: z.string() }),
      overturned: citedSide,
      upheld: citedSide,
    })
    .describe(
      'What reviewers cite: the guidelines most cited in the overturned and in the upheld ' +
        "decisions of the request's category (citations are counted per category)",
    ),
  similar: z.array(itemSchema.extend({ score: z.number() })),
});
export type Similar = z.infer<typeof similarSchema>;

export const exportsListSchema = z.object({
  snapshots: z.array(
    z.object({
      id: z.string(),
      generatedAt: z.string(),
      completedAt: z.string(),
      latest: z.boolean().describe('The snapshot latest.json names'),
      totals: z.object({
        letters: z.number().int(),
        items: z.number().int(),
        ...rateFields,
      }),
      manifest: z.string().describe('Download path of manifest.json'),
      files: z.array(
        z.object({
          path: z.string(),
          format: z.enum(['csv', 'json', 'parquet']),
          kind: z.enum(['statistics', 'items']),
          dimension: z.string().nullable(),
          year: z.string().nullable().describe('Decision year of an items file ("0000": undated)'),
          rows: z.number().int(),
          bytes: z.number().int(),
          sha256: z.string(),
          url: z.string().describe('Download path on this site'),
        }),
      ),
    }),
  ),
});
export type ExportsList = z.infer<typeof exportsListSchema>;

export const healthSchema = z.object({ status: z.literal('ok'), time: z.string() });

export const errorSchema = z.object({
  error: z.enum(['bad-request', 'not-found', 'internal']),
  message: z.string(),
  parameter: z.string().optional().describe('The parameter to change (400 only)'),
  requestId: z.string(),
});

export const feedEntrySchema = z.object({
  id: z.string().describe('tag: URI of the item (case number and item number); never changes'),
  title: z.string().describe('The request and its decision'),
  updated: z.string().describe('The decision date, as an RFC 3339 date-time'),
  link: z.string().describe("The determination's page on the site, at the item"),
  summary: z.string().describe('Decision, date, category, subcategory, drug and body region'),
});

/** A feed before it is written as Atom: only what /api/items gives for the same items. */
export const feedSchema = z.object({
  id: z.string(),
  title: z.string().describe('What the feed holds, with its filters in words'),
  updated: z.string(),
  self: z.string().describe("The feed's own path, with its filters"),
  alternate: z.string().describe('The same search on the site'),
  entries: z.array(feedEntrySchema),
});
export type Feed = z.infer<typeof feedSchema>;
