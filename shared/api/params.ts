import { z } from 'zod';
import { BadRequestError } from '../errors.ts';
import { CASE_NUMBER } from '../record/index.ts';
import { terms } from '../search/index.ts';
import { STATS_BY } from '../stats/index.ts';
import {
  BODY_REGIONS,
  canonicalDrugNames,
  lookupDrug,
  GUIDELINE_IDS,
  CATEGORIES,
  SUBCATEGORIES,
  type Category,
} from '../taxonomy/index.ts';

// Query strings in, typed requests out. The zod schemas are both the validation and the
// OpenAPI description (shared/api/openapi.ts); every refusal names the parameter to change.

export const MAX_LIMIT = 100;
export const DEFAULT_LIMIT = 20;
export const MAX_Q_LENGTH = 200;
export const MAX_REQUEST_LENGTH = 300;
const MAX_VALUE_LENGTH = 120;

const limit = z
  .string()
  .regex(/^\d{1,3}$/, { error: `limit must be a whole number from 1 to ${MAX_LIMIT}` })
  .transform(Number)
  .pipe(
    z
      .number()
      .int()
      .min(1, { error: `limit must be a whole number from 1 to ${MAX_LIMIT}` })
      .max(MAX_LIMIT, { error: `limit must be a whole number from 1 to ${MAX_LIMIT}` }),
  )
  .optional()
  .describe(`Results per page, 1 to ${MAX_LIMIT} (default ${DEFAULT_LIMIT}).`);

const cursor = z
  .string()
  .max(2000, { error: 'cursor is not one this query returned' })
  .optional()
  .describe('The `cursor` of the previous page, with the same query; absent for the first page.');

const date = (name: string, edge: string) =>
  z
    .string()
    .regex(/^\d{4}(?:-\d{2}(?:-\d{2})?)?$/, {
      error: `${name} must be a date: YYYY, YYYY-MM or YYYY-MM-DD`,
    })
    .optional()
    .describe(`Decision date, inclusive: YYYY, YYYY-MM or YYYY-MM-DD (${edge}).`);

const text = (name: string, max: number) =>
  z
    .string()
    .trim()
    .min(1, { error: `${name} must not be empty` })
    .max(max, { error: `${name} must be at most ${max} characters` });

export const caseNumberPattern = `^(?:${CASE_NUMBER}|X-[0-9a-f]{16})$`;

export const determinationPathSchema = z.object({
  caseNumber: z
    .string()
    .regex(new RegExp(caseNumberPattern, 'i'), {
      error: 'caseNumber must look like CM16-0123456',
    })
    .describe('Case number ("CM16-0123456"), or the X- identifier of a letter that names none.'),
});

export const listDeterminationsQuerySchema = z.strictObject({ limit, cursor });

export const itemsQuerySchema = z.strictObject({
  category: z
    .enum(CATEGORIES, { error: `category must be one of: ${CATEGORIES.join(', ')}` })
    .optional()
    .describe('DWC request category.'),
  subcategory: text('subcategory', MAX_VALUE_LENGTH)
    .optional()
    .describe(
      'Subcategory (for pharmaceuticals, the drug class); names repeated across categories ("Other") need `category`.',
    ),
  drug: text('drug', MAX_VALUE_LENGTH)
    .optional()
    .describe(
      'Generic drug name ("hydrocodone/acetaminophen"); a brand name or an unrecognised drug is refused.',
    ),
  bodyRegion: z
    .enum(
      BODY_REGIONS.map(([name]) => name),
      { error: `bodyRegion must be one of: ${BODY_REGIONS.map(([n]) => n).join(', ')}` },
    )
    .optional()
    .describe('A body region the request names.'),
  specialty: text('specialty', MAX_VALUE_LENGTH)
    .optional()
    .describe(
      'A reviewer specialty of the letter, as the letters spell it; one that no decision names is refused.',
    ),
  decision: z
    .enum(['upheld', 'overturned'], { error: 'decision must be one of: upheld, overturned' })
    .optional()
    .describe('Only items with this decision.'),
  from: date('from', 'a year or month means its first day'),
  to: date('to', 'a year or month means its last day'),
  q: text('q', MAX_Q_LENGTH).optional().describe('Words that must all appear in the request.'),
  limit,
  cursor,
});

/** The filters of /api/items without its paging: the same names, values and refusals. */
export const feedQuerySchema = itemsQuerySchema.omit({ limit: true, cursor: true });

export const statsQuerySchema = z.strictObject({
  by: z
    .enum(STATS_BY, { error: `by must be one of: ${STATS_BY.join(', ')}` })
    .describe('What to group by.'),
  category: z
    .enum(CATEGORIES, { error: `category must be one of: ${CATEGORIES.join(', ')}` })
    .optional()
    .describe('Count only items of this category.'),
  from: date('from', 'statistics are monthly: a date counts its whole month'),
  to: date('to', 'statistics are monthly: a date counts its whole month'),
  subcategory: text('subcategory', MAX_VALUE_LENGTH)
    .optional()
    .describe(
      'With by=month or year: only this subcategory (names repeated across categories need `category`).',
    ),
  drug: text('drug', MAX_VALUE_LENGTH)
    .optional()
    .describe('With by=month or year: only this drug, by generic name.'),
  specialty: text('specialty', MAX_VALUE_LENGTH)
    .optional()
    .describe('With by=month or year: only letters whose reviewer has this specialty.'),
  guideline: z
    .enum(GUIDELINE_IDS, { error: `guideline must be one of: ${GUIDELINE_IDS.join(', ')}` })
    .optional()
    .describe('With by=month or year: only items whose reviewer cited this guideline.'),
});

export const similarQuerySchema = z.strictObject({
  request: text('request', MAX_REQUEST_LENGTH).describe(
    'A planned request as a physician would write it ("Norco 10/325mg #90").',
  ),
});

/** Validates a query string (or path parameters) against a schema; failures name the parameter. */
export function parseParams<S extends z.ZodType>(
  schema: S,
  raw: Record<string, string | undefined>,
): z.output<S> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const shape = schema instanceof z.ZodObject ? (schema.shape as Record<string, z.ZodType>) : {};
  if (issue.code === 'unrecognized_keys') {
    const name = issue.keys[0] ?? '';
    const known = Object.keys(shape);
    throw new BadRequestError(
      name,
      known.length === 0
        ? `unknown parameter "${name}": this endpoint takes no parameters`
        : `unknown parameter "${name}": the parameters are ${known.join(', ')}`,
    );
  }
  const name = String(issue.path[0] ?? '');
  if (raw[name] === undefined) {
    const field = shape[name];
    const allowed =
      field instanceof z.ZodEnum
        ? `one of: ${field.options.join(', ')}`
        : (field?.description ?? '').replace(/^./, (c) => c.toLowerCase()).replace(/\.$/, '');
    throw new BadRequestError(name, `${name} is required: ${allowed}`);
  }
  throw new BadRequestError(name, issue.message);
}

/** The query of an endpoint that takes no parameters: any parameter is refused by name. */
export const noQuerySchema = z.strictObject({});

/** A YYYY[-MM[-DD]] parameter as the first or last real day it covers. */
export function dayOf(parameter: string, value: string, edge: 'first' | 'last'): string {
  const [y, m, d] = value.split('-').map(Number);
  const year = y!;
  if (m !== undefined && (m < 1 || m > 12)) {
    throw new BadRequestError(parameter, `${parameter} has no month ${m}: a month is 01 to 12`);
  }
  const month = m ?? (edge === 'first' ? 1 : 12);
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (d !== undefined && (d < 1 || d > days)) {
    throw new BadRequestError(
      parameter,
      `${parameter} is not a real date: ${value} (${value.slice(0, 7)} has ${days} days)`,
    );
  }
  const day = d ?? (edge === 'first' ? 1 : days);
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Checks that a date range is the right way round. */
export function checkRange(from: string | null, to: string | null): void {
  if (from !== null && to !== null && from > to) {
    throw new BadRequestError(
      'from',
      `from (${from}) is after to (${to}): from must be on or before to`,
    );
  }
}

/** The category a subcategory belongs to, from `category` or from the name when it is unique. */
export function resolveSubcategory(category: Category | undefined, subcategory: string): Category {
  const owners = CATEGORIES.filter((c) =>
    (SUBCATEGORIES[c] as readonly string[]).includes(subcategory),
  );
  if (category !== undefined) {
    if (!owners.includes(category)) {
      const allowed = SUBCATEGORIES[category];
      throw new BadRequestError(
        'subcategory',
        allowed.length === 0
          ? `category ${category} has no subcategories`
          : `subcategory of ${category} must be one of: ${allowed.join(', ')}`,
      );
    }
    return category;
  }
  if (owners.length === 1) return owners[0]!;
  if (owners.length === 0) {
    throw new BadRequestError(
      'subcategory',
      `subcategory "${subcategory}" is not a subcategory IMR Atlas knows: send one as /api/stats?by=subcategory lists them`,
    );
  }
  throw new BadRequestError(
    'category',
    `category is required with subcategory "${subcategory}", which is in several: one of ${owners.join(', ')}`,
  );
}

/** Searchable words of a keyword query; a query with none is refused rather than matching all. */
export function queryTerms(parameter: string, q: string): string[] {
  const words = terms(q);
  if (words.length === 0) {
    throw new BadRequestError(
      parameter,
      `${parameter} has no searchable words (numbers alone, doses and words like "tablets" are not indexed)`,
    );
  }
  return words;
}

let canonicalDrugs: ReadonlySet<string> | null = null;

/** A `drug` value as stored (lower-case generic), or a refusal that says what to send instead. */
export function checkDrug(value: string): string {
  const drug = value.toLowerCase();
  canonicalDrugs ??= canonicalDrugNames();
  if (canonicalDrugs.has(drug)) return drug;
  const known = lookupDrug(value);
  if (known !== null) {
    throw new BadRequestError(
      'drug',
      `drug takes the generic name: for "${value}" send "${known.drug}"`,
    );
  }
  throw new BadRequestError(
    'drug',
    `drug "${value}" is not a drug IMR Atlas recognises: send a generic name as /api/stats?by=drug lists them`,
  );
}

/** Refuses a specialty that no decision names, as an unknown value of any other filter is. */
export function unknownSpecialty(value: string): BadRequestError {
  return new BadRequestError(
    'specialty',
    `specialty "${value}" is not a reviewer specialty of any decision: send one as /api/stats?by=specialty lists them`,
  );
}
