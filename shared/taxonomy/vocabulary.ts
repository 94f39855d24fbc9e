import { z } from 'zod';

// The DWC's own request categories (docs/DOMAIN.md, "Request categories"). Every other module
// takes its category and subcategory names from here so that a renamed label fails to compile.

export const CATEGORIES = [
  'Pharmaceuticals',
  'Diagnostic Testing',
  'DMEPOS',
  'Rehabilitation',
  'Injections',
  'Surgery',
  'Evaluation & Management',
  'Psych Services',
  'Programs',
  'Home Health',
  'Transportation',
  'Other',
] as const;

export const PHARMA_SUBCATEGORIES = [
  'Opioids',
  'NSAIDs',
  'Muscle Relaxants',
  'Topical Analgesics',
  'Proton Pump Inhibitors',
  'Antidepressants',
  'Anticonvulsants',
  'Sedative/Hypnotics',
  'Benzodiazepines',
  'Other',
] as const;

export const DIAGNOSTIC_SUBCATEGORIES = [
  'Imaging/Radiology',
  'EMG/NCV/NCS',
  'Lab & Pathology',
  'Other',
] as const;

export const DMEPOS_SUBCATEGORIES = [
  'DME',
  'Electrical Stimulation',
  'Prosthetics/Orthotics',
  'Supplies',
] as const;

export const REHABILITATION_SUBCATEGORIES = [
  'Physical/Occupational Therapy',
  'Chiropractic',
  'Acupuncture',
  'Other',
] as const;

export const INJECTION_SUBCATEGORIES = [
  'Epidural',
  'Facet',
  'Trigger Point',
  'Joint',
  'Other',
] as const;

export const SURGERY_SUBCATEGORIES = [
  'Spine',
  'Arthroscopic',
  'Non-arthroscopic',
  'Adjunct',
  'Surgical Consult',
] as const;

/** Subcategories allowed for each category; an empty list means the subcategory is always null. */
export const SUBCATEGORIES = {
  Pharmaceuticals: PHARMA_SUBCATEGORIES,
  'Diagnostic Testing': DIAGNOSTIC_SUBCATEGORIES,
  DMEPOS: DMEPOS_SUBCATEGORIES,
  Rehabilitation: REHABILITATION_SUBCATEGORIES,
  Injections: INJECTION_SUBCATEGORIES,
  Surgery: SURGERY_SUBCATEGORIES,
  'Evaluation & Management': [],
  'Psych Services': [],
  Programs: [],
  'Home Health': [],
  Transportation: [],
  Other: [],
} as const satisfies Record<(typeof CATEGORIES)[number], readonly string[]>;

export const categorySchema = z.enum(CATEGORIES);
export type Category = z.infer<typeof categorySchema>;

// "Other" appears under several categories; z.enum keys its values, so the repeats collapse.
export const subcategorySchema = z.enum([
  ...PHARMA_SUBCATEGORIES,
  ...DIAGNOSTIC_SUBCATEGORIES,
  ...DMEPOS_SUBCATEGORIES,
  ...REHABILITATION_SUBCATEGORIES,
  ...INJECTION_SUBCATEGORIES,
  ...SURGERY_SUBCATEGORIES,
]);
export type Subcategory = z.infer<typeof subcategorySchema>;

export type SubcategoryOf<C extends Category> = (typeof SUBCATEGORIES)[C][number];
export type PharmaSubcategory = SubcategoryOf<'Pharmaceuticals'>;

/** True when `subcategory` is allowed under `category` (null only where the category has none). */
export function isSubcategoryOf(category: Category, subcategory: string | null): boolean {
  const allowed: readonly string[] = SUBCATEGORIES[category];
  return subcategory === null ? allowed.length === 0 : allowed.includes(subcategory);
}
