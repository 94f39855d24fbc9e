import { z } from 'zod';
import { determinationSchema, type Determination } from '../record/index.ts';
import { ANY_DATE, toIsoDate } from '../text/index.ts';

/**
 * The public record: what the API, the site and the exports give of a determination. It follows
 * HIPAA's Safe Harbor where the parsed record is more precise than the public needs: the year of
 * injury instead of its date, and ages over 89 as "90 or older" (`imr parse` keeps both as read).
 * This module is the one place that derives it.
 */

/** The public value of an age over 89. */
export const AGE_90_OR_OLDER = '90 or older';

const { injury: _injury, ...otherDates } = determinationSchema.shape.dates.shape;

export const publicDeterminationSchema = determinationSchema
  .omit({ source: true, dates: true, patient: true })
  .extend({
    id: z.string().describe('The case number, or "X-" and a digest for a letter that names none.'),
    dates: z.object({
      ...otherDates,
      injuryYear: z
        .number()
        .int()
        .nullable()
        .describe('Year of the injury (the date itself is not published)'),
    }),
    patient: z.object({
      age: z
        .union([z.number().int().min(0).max(89), z.literal(AGE_90_OR_OLDER)])
        .nullable()
        .describe(`Age in years; "${AGE_90_OR_OLDER}" above 89`),
      sex: determinationSchema.shape.patient.shape.sex,
    }),
  });
export type PublicDetermination = z.infer<typeof publicDeterminationSchema>;

/** The year of an ISO date, or null. */
export function yearOf(date: string | null): number | null {
  return date === null ? null : Number(date.slice(0, 4));
}

/** An age as the public side gives it. */
export function publicAge(age: number | null): number | typeof AGE_90_OR_OLDER | null {
  return age === null ? null : age > 89 ? AGE_90_OR_OLDER : age;
}

const dateRe = new RegExp(`\\b${ANY_DATE}\\b`, 'g');
// "a 92 year old", "92-year-old", "age 92", "aged 92".
const oldAgeRe = /\b(9\d|1[0-2]\d)(?=[- ]years?[- ]old\b)/gi;
const agedRe = /\b(aged?:?\s+)(9\d|1[0-2]\d)\b/gi;

/** Prose as the public side gives it: the injury date as its year, ages over 89 as "90 or older". */
export function publicText(text: string, injury: string | null): string {
  let out = text;
  if (injury !== null) {
    const year = injury.slice(0, 4);
    out = out.replace(dateRe, (date) => (toIsoDate(date) === injury ? year : date));
  }
  return out
    .replace(oldAgeRe, `[${AGE_90_OR_OLDER}]`)
    .replace(agedRe, (_m, aged: string) => `${aged}[${AGE_90_OR_OLDER}]`);
}

/** A determination's public record: no file name, the injury's year, ages over 89 grouped. */
export function publicDetermination(id: string, record: Determination): PublicDetermination {
  const { source: _source, dates, patient, ...rest } = record;
  const { injury, ...kept } = dates;
  const text = <T extends string | null>(t: T): T =>
    t === null ? t : (publicText(t, injury) as T);
  return {
    id,
    ...rest,
    dates: { ...kept, injuryYear: yearOf(injury) },
    patient: { age: publicAge(patient.age), sex: patient.sex },
    summary: text(rest.summary),
    diagnoses: rest.diagnoses.map(text),
    // Requests stay as indexed: the items list shows the same words as the determination.
    issues: rest.issues.map((i) => ({
      ...i,
      claimsAdministratorGuideline: text(i.claimsAdministratorGuideline),
      reviewerGuideline: text(i.reviewerGuideline),
      rationale: text(i.rationale),
    })),
  };
}
