// The guidelines IMR reviewers cite, as one vocabulary: each document (and each edition of it)
// has one stable id, whatever words a letter uses for it. 2013-15 letters name MTUS parts by
// their old titles without a year ("Chronic Pain Treatment Guidelines", "ACOEM Chapter 12 Low
// Back Complaints"), 2016-17 letters by title and year ("Chronic Pain Medical Treatment 2016",
// "Low Back Complaints 2004"); both name the same documents. No zod here: the site imports this
// module for display titles, and zod stays out of the browser bundle.

/** One guideline document, in one edition. */
export interface Guideline {
  source: 'MTUS' | 'ACOEM' | 'ODG';
  /** The document's title for people. */
  title: string;
  /** The edition's year or name; null for guidelines revised continuously (ODG) or unstated. */
  edition: string | null;
  /** For an ACOEM chapter adopted into MTUS: the chapter(s) of ACOEM's 2nd edition. */
  acoemChapter?: string;
}

export const GUIDELINES = {
  'mtus-chronic-pain-2009': {
    source: 'MTUS',
    title: 'Chronic Pain Medical Treatment Guidelines',
    edition: '2009',
  },
  'mtus-chronic-pain-2016': {
    source: 'MTUS',
    title: 'Chronic Pain Medical Treatment Guidelines',
    edition: '2016',
  },
  'mtus-acupuncture-2007': {
    source: 'MTUS',
    title: 'Acupuncture Medical Treatment Guidelines',
    edition: '2007',
  },
  'mtus-postsurgical-2009': {
    source: 'MTUS',
    title: 'Postsurgical Treatment Guidelines',
    edition: '2009',
  },
  'mtus-opioids-2016': {
    source: 'MTUS',
    title: 'Opioids Treatment Guidelines',
    edition: '2016',
  },
  'mtus-general-approaches-2004': {
    source: 'MTUS',
    title: 'General Approaches',
    edition: '2004',
    acoemChapter: '1-7',
  },
  'mtus-neck-upper-back-2004': {
    source: 'MTUS',
    title: 'Neck and Upper Back Complaints',
    edition: '2004',
    acoemChapter: '8',
  },
  'mtus-shoulder-2004': {
    source: 'MTUS',
    title: 'Shoulder Complaints',
    edition: '2004',
    acoemChapter: '9',
  },
  'mtus-elbow-2007': {
    source: 'MTUS',
    title: 'Elbow Disorders',
    edition: '2007',
    acoemChapter: '10',
  },
  'mtus-forearm-wrist-hand-2004': {
    source: 'MTUS',
    title: 'Forearm, Wrist, and Hand Complaints',
    edition: '2004',
    acoemChapter: '11',
  },
  'mtus-low-back-2004': {
    source: 'MTUS',
    title: 'Low Back Complaints',
    edition: '2004',
    acoemChapter: '12',
  },
  'mtus-knee-2004': {
    source: 'MTUS',
    title: 'Knee Complaints',
    edition: '2004',
    acoemChapter: '13',
  },
  'mtus-ankle-foot-2004': {
    source: 'MTUS',
    title: 'Ankle and Foot Complaints',
    edition: '2004',
    acoemChapter: '14',
  },
  'mtus-stress-2004': {
    source: 'MTUS',
    title: 'Stress Related Conditions',
    edition: '2004',
    acoemChapter: '15',
  },
  'mtus-eye-2004': { source: 'MTUS', title: 'Eye', edition: '2004', acoemChapter: '16' },
  'mtus-unspecified': { source: 'MTUS', title: 'MTUS, part not named', edition: null },
  acoem: { source: 'ACOEM', title: 'ACOEM Practice Guidelines', edition: null },
  odg: { source: 'ODG', title: 'Official Disability Guidelines', edition: null },
} as const satisfies Record<string, Guideline>;

export type GuidelineId = keyof typeof GUIDELINES;
export const GUIDELINE_IDS = Object.keys(GUIDELINES) as [GuidelineId, ...GuidelineId[]];

/** "MTUS Chronic Pain Medical Treatment Guidelines (2016)", "Official Disability Guidelines". */
export function guidelineLabel(id: GuidelineId): string {
  const g: Guideline = GUIDELINES[id];
  const name = g.source === 'MTUS' && id !== 'mtus-unspecified' ? `MTUS ${g.title}` : g.title;
  return g.edition === null ? name : `${name} (${g.edition})`;
}

/** Whether a string is a guideline id (for values read from URLs and counters). */
export function isGuidelineId(value: string): value is GuidelineId {
  return Object.hasOwn(GUIDELINES, value);
}

// ACOEM's 2nd-edition chapters as MTUS adopted them: 1-7 are the general approaches.
const ACOEM_CHAPTERS: Readonly<Record<number, GuidelineId>> = {
  1: 'mtus-general-approaches-2004',
  2: 'mtus-general-approaches-2004',
  3: 'mtus-general-approaches-2004',
  4: 'mtus-general-approaches-2004',
  5: 'mtus-general-approaches-2004',
  6: 'mtus-general-approaches-2004',
  7: 'mtus-general-approaches-2004',
  8: 'mtus-neck-upper-back-2004',
  9: 'mtus-shoulder-2004',
  10: 'mtus-elbow-2007',
  11: 'mtus-forearm-wrist-hand-2004',
  12: 'mtus-low-back-2004',
  13: 'mtus-knee-2004',
  14: 'mtus-ankle-foot-2004',
  15: 'mtus-stress-2004',
  16: 'mtus-eye-2004',
};
const ACOEM_CHAPTER_RE = /\bACOEM\b[^0-9]{0,20}?\bCh(?:apter|\.)?\s*(\d{1,2})\b/i;

// MTUS parts by the words of their titles, old and new. Order matters: "Chronic Pain" before
// "Opioids" (the chronic pain guideline has an opioids section, but its title never says so).
const MTUS_PARTS: readonly [RegExp, (year: number | null) => GuidelineId][] = [
  // The 2016 update replaced the 2009 guideline; an old-style title without a year was written
  // while the 2009 one was in force.
  [
    /\bchronic\s+pain\b/i,
    (y) => (y !== null && y >= 2016 ? 'mtus-chronic-pain-2016' : 'mtus-chronic-pain-2009'),
  ],
  [/\bacupuncture\b/i, () => 'mtus-acupuncture-2007'],
  [/\bpost-?\s?surgical\b/i, () => 'mtus-postsurgical-2009'],
  // One edition only: letters print it as 2016 (its date) or 2017 (when it came into force).
  [/\bopioids?\b/i, () => 'mtus-opioids-2016'],
  [
    /\bgeneral\s+approach|\bindependent\s+medical\s+examinations?\b|\binitial\s+approaches\b|\bprevention\b|\bwork-?relatedness\b/i,
    () => 'mtus-general-approaches-2004',
  ],
  [/\bneck\b|\bupper\s+back\b/i, () => 'mtus-neck-upper-back-2004'],
  [/\bshoulder\b/i, () => 'mtus-shoulder-2004'],
  [/\belbow\b/i, () => 'mtus-elbow-2007'],
  [/\bforearm\b|\bwrist\b|\bhand\b/i, () => 'mtus-forearm-wrist-hand-2004'],
  [/\blow\s+back\b|\blumbar\b/i, () => 'mtus-low-back-2004'],
  [/\bknee\b/i, () => 'mtus-knee-2004'],
  [/\bankle\b|\bfoot\b/i, () => 'mtus-ankle-foot-2004'],
  [/\bstress\b/i, () => 'mtus-stress-2004'],
  [/\beye\b/i, () => 'mtus-eye-2004'],
];

/**
 * The guideline a citation names, from its source, title as parsed and edition year; null for
 * other literature. An MTUS title that names no known part is `mtus-unspecified`.
 */
export function guidelineOf(citation: {
  source: string;
  title: string;
  year: number | null;
  sections?: readonly string[];
}): GuidelineId | null {
  switch (citation.source) {
    case 'ODG':
      return 'odg';
    case 'ACOEM':
      return 'acoem';
    case 'MTUS': {
      // "MTUS ACOEM, Chapter 12": the chapter was parsed as the first section.
      const first = citation.sections?.[0];
      const named =
        /^ACOEM$/i.test(citation.title.trim()) && first !== undefined
          ? `ACOEM ${first}`
          : citation.title;
      const chapter = ACOEM_CHAPTER_RE.exec(named);
      if (chapter?.[1] !== undefined) {
        const byChapter = ACOEM_CHAPTERS[Number(chapter[1])];
        if (byChapter !== undefined) return byChapter;
      }
      for (const [words, id] of MTUS_PARTS) {
        if (words.test(named)) return id(citation.year);
      }
      return 'mtus-unspecified';
    }
    default:
      return null;
  }
}
