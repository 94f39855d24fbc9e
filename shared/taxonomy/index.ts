// shared/taxonomy: categories, drugs, specialties, body regions and guidelines.
// Its public entry: code outside the folder imports from here (tests may reach any module).

export { BODY_REGIONS, classifyRequest } from './classify.ts';
export type { BodyRegion } from './classify.ts';
export { canonicalDrugNames, lookupDrug } from './drugs.ts';
export { GUIDELINE_IDS, guidelineLabel, guidelineOf, isGuidelineId } from './guidelines.ts';
export { SPECIALTIES } from './specialties.ts';
export { CATEGORIES, SUBCATEGORIES, categorySchema, subcategorySchema } from './vocabulary.ts';
export type { Category, PharmaSubcategory, Subcategory } from './vocabulary.ts';
