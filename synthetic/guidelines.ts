import type { CitationSource } from '../shared/record/index.ts';
import type { Random } from './random.ts';
import type { Region, Topic } from './requests.ts';

/** The two guideline paragraphs of an item and the sources the reviewer's one cites. */
export interface Guidelines {
  claimsAdministrator: string;
  reviewer: string;
  /** Source of each citation in the reviewer's paragraph, in order; empty when none is cited. */
  reviewerSources: CitationSource[];
}

const NO_CITATION = 'The Expert Reviewer did not cite any medical evidence for its decision.';

// MTUS editions as letters cite them: before 2016 by guideline name and page, from 2016 by the
// name and year of each part, with the 2017 opioid guideline in force from 2018.
function mtus(topic: Topic, region: Region, year: number): string | null {
  const modern = year >= 2016;
  switch (topic.mtus) {
    case 'chronic-pain':
      return modern
        ? `MTUS Chronic Pain Medical Treatment 2016, Section(s): ${topic.section}`
        : `MTUS Chronic Pain Medical Treatment Guidelines, ${topic.section} Page(s): ${topic.pages}`;
    case 'opioids':
      if (year >= 2018) return 'MTUS Opioids Treatment 2017, Section(s): Chronic opioid treatment';
      return modern
        ? `MTUS Chronic Pain Medical Treatment 2016, Section(s): ${topic.section}`
        : `MTUS Chronic Pain Medical Treatment Guidelines, ${topic.section} Page(s): ${topic.pages}`;
    case 'region': {
      const chapter = region.chapter;
      if (chapter === null) return null;
      const edition = chapter.number === 10 ? 2007 : 2004;
      return modern
        ? `MTUS ${chapter.title} ${edition}, Section(s): ${topic.section}`
        : `MTUS ACOEM Chapter ${chapter.number} ${chapter.title} Page(s): ${chapter.pages}`;
    }
    case 'acupuncture':
      return modern
        ? 'MTUS Acupuncture Treatment 2007'
        : 'MTUS Acupuncture Medical Treatment Guidelines';
    case 'stress':
      return modern
        ? `MTUS Stress Related Conditions 2004, Section(s): ${topic.section}`
        : 'MTUS ACOEM Chapter 15 Stress Related Conditions Page(s): 398-404';
    case 'none':
      return null;
  }
}

function odg(r: Random, topic: Topic): string {
  return r.weighted([
    [`Official Disability Guidelines (ODG) ${topic.odg} Chapter, ${topic.odgTopic}`, 3],
    [`Official Disability Guidelines (ODG), ${topic.odg}, ${topic.odgTopic}`, 1],
    [`ODG ${topic.odg} Chapter, ${topic.odgTopic}`, 1],
  ]);
}

/** Guideline paragraphs for an item: what utilization review relied on, and what the reviewer did. */
export function guidelinesFor(r: Random, topic: Topic, region: Region, year: number): Guidelines {
  const fromMtus = mtus(topic, region, year);
  const nonMtus = `Decision based on Non-MTUS Citation ${odg(r, topic)}.`;

  let reviewer: string;
  let reviewerSources: CitationSource[];
  if (r.chance(0.04)) {
    reviewer = NO_CITATION;
    reviewerSources = [];
  } else if (fromMtus === null) {
    reviewer = nonMtus;
    reviewerSources = ['ODG'];
  } else if (r.chance(0.35)) {
    reviewer = `Decision based on ${fromMtus}. ${nonMtus}`;
    reviewerSources = ['MTUS', 'ODG'];
  } else {
    reviewer = `Decision based on ${fromMtus}.`;
    reviewerSources = ['MTUS'];
  }

  const claimsAdministrator =
    fromMtus !== null && r.chance(0.6)
      ? `Decision based on ${fromMtus}.`
      : r.chance(0.15)
        ? 'Decision based on Non-MTUS Citation ACOEM Practice Guidelines, 2nd Edition (2004).'
        : nonMtus;
  return { claimsAdministrator, reviewer, reviewerSources };
}
