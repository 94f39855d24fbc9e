import type { BodyRegion, Category } from '../../../shared/taxonomy/index.ts';

// The DWC request categories, in the taxonomy's order, and the body regions. Copies, because the server's module
// builds zod schemas at load time and zod must stay out of the browser bundle; the type checks
// below fail the build if a copy and the taxonomy ever differ.

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
] as const satisfies readonly Category[];

export const BODY_REGIONS = [
  'head',
  'jaw',
  'cervical spine',
  'thoracic spine',
  'lumbar spine',
  'shoulder',
  'elbow',
  'wrist',
  'hand',
  'upper extremity',
  'chest',
  'abdomen',
  'pelvis',
  'hip',
  'knee',
  'ankle',
  'foot',
  'lower extremity',
] as const satisfies readonly BodyRegion[];

type MissingCategory = Exclude<Category, (typeof CATEGORIES)[number]>;
type MissingRegion = Exclude<BodyRegion, (typeof BODY_REGIONS)[number]>;
const complete: [MissingCategory | MissingRegion] extends [never] ? true : never = true;
void complete;

export const DECISIONS = ['upheld', 'overturned'] as const;
export type Decision = (typeof DECISIONS)[number];

/** Narrows a string from a URL to a category. */
export function isCategory(value: string): value is Category {
  return (CATEGORIES as readonly string[]).includes(value);
}

/** Narrows a string from a URL to a body region. */
export function isBodyRegion(value: string): value is BodyRegion {
  return (BODY_REGIONS as readonly string[]).includes(value);
}

/** Narrows a string from a URL to a decision. */
export function isDecision(value: string): value is Decision {
  return (DECISIONS as readonly string[]).includes(value);
}
