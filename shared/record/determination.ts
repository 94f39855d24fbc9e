import { z } from 'zod';
import { GUIDELINE_IDS, categorySchema, subcategorySchema } from '../taxonomy/index.ts';
import { ITEM_FLAGS, LETTER_FLAGS } from './flags.ts';

/** A case number: "CM", the two-digit year, a hyphen, seven digits ("CM16-0213037"). */
export const CASE_NUMBER = String.raw`CM\d{2}-\d{7}`;

export const citationSourceSchema = z.enum(['MTUS', 'ACOEM', 'ODG', 'Other']);

export const citationSchema = z.object({
  source: citationSourceSchema,
  title: z.string().min(1),
  year: z.number().int().nullable(),
  sections: z.array(z.string().min(1)),
  pages: z.array(z.string().min(1)),
  guideline: z
    .enum(GUIDELINE_IDS)
    .nullable()
    .describe(
      'The guideline document and edition (shared/taxonomy/guidelines.ts), the same id under ' +
        'every wording; null for other literature.',
    ),
});

export type CitationSource = z.infer<typeof citationSourceSchema>;
export type Citation = z.infer<typeof citationSchema>;

/** "YYYY-MM-DD", or null when the letter does not state the date (or states one that is not real). */
const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .nullable();

export const decisionSchema = z.enum(['upheld', 'overturned']);
export const outcomeSchema = z.enum(['upheld', 'overturned', 'partially overturned']);
export const layoutSchema = z.enum([
  'full-letter',
  'body-only',
  'maximus-legacy',
  'medical-professional-review',
  'notice-2013',
]);

/**
 * How a record's text was obtained: the PDF's text layer, OCR of a scan (image-only PDF), or a
 * text file.
 */
export const textSourceSchema = z.enum(['pdf-text', 'ocr', 'plain-text']);

/** One disputed item (treatment or service) and the reviewer's decision on it. */
export const issueSchema = z.object({
  ordinal: z.number().int().positive(),
  /** The disputed item as the letter names it; for a modified request, the remaining IMR-eligible portion. */
  request: z.string().min(1),
  /** For a modified request, what the physician first asked for; otherwise null. */
  originalRequest: z.string().nullable(),
  /** For a modified request, what utilization review approved; otherwise null. */
  authorizedPortion: z.string().nullable(),
  decision: decisionSchema,
  category: categorySchema,
  subcategory: subcategorySchema.nullable(),
  /** Canonical generic name of a recognised drug (pharmaceutical requests only). */
  drug: z.string().nullable(),
  /** The first body region the request names (see bodyRegions for all of them). */
  bodyRegion: z.string().nullable(),
  bodyRegions: z.array(z.string()),
  quantity: z.string().nullable(),
  frequency: z.string().nullable(),
  claimsAdministratorGuideline: z.string().nullable(),
  reviewerGuideline: z.string().nullable(),
  /** The reviewer's (MAXIMUS) citations, in the order given. */
  citations: z.array(citationSchema),
  /** Utilization review's citations, in the order given. */
  claimsAdministratorCitations: z.array(citationSchema),
  rationale: z.string(),
  /** What the rationale's closing sentence concludes, independent of the decision line. */
  conclusion: z.enum(['medically necessary', 'not medically necessary', 'none']),
  flags: z.array(z.enum(ITEM_FLAGS)),
});

/** One IMR final determination letter, parsed. The field names are a public contract. */
export const determinationSchema = z.object({
  /** File name the letter came from. */
  source: z.string(),
  /** "CM" + 2-digit year + "-" + 7 digits; null when neither the letter nor its file name gives one. */
  caseNumber: z
    .string()
    .regex(new RegExp(`^${CASE_NUMBER}$`))
    .nullable(),
  layout: layoutSchema,
  /** Where the text came from; OCR'd records also carry the flag `ocr`. */
  textSource: textSourceSchema,
  dates: z.object({
    assigned: isoDate,
    injury: isoDate,
    decision: isoDate,
    urDenial: isoDate,
    applicationReceived: isoDate,
  }),
  priority: z.enum(['Standard', 'Expedited']).nullable(),
  reviewer: z.object({
    specialties: z.array(z.string()),
    licensure: z.array(z.string()),
  }),
  patient: z.object({
    age: z.number().int().min(0).max(120).nullable(),
    sex: z.enum(['female', 'male']).nullable(),
  }),
  diagnoses: z.array(z.string()),
  outcome: outcomeSchema,
  issues: z.array(issueSchema).min(1),
  /** The clinical case summary as the letter gives it (redacted in published letters). */
  summary: z.string().nullable(),
  flags: z.array(z.enum(LETTER_FLAGS)),
});

export type Decision = z.infer<typeof decisionSchema>;
export type Outcome = z.infer<typeof outcomeSchema>;
export type Layout = z.infer<typeof layoutSchema>;
export type TextSource = z.infer<typeof textSourceSchema>;
export type Issue = z.infer<typeof issueSchema>;
export type Determination = z.infer<typeof determinationSchema>;

/** The DWC's case outcome: all upheld, all overturned, or a mix. */
export function outcomeOf(decisions: readonly Decision[]): Outcome {
  if (decisions.every((d) => d === 'upheld')) return 'upheld';
  if (decisions.every((d) => d === 'overturned')) return 'overturned';
  return 'partially overturned';
}
