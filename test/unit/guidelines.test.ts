import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Citation } from '../../shared/record/determination.ts';
import { parseCitations } from '../../shared/parser/citations.ts';
import { parseLetter } from '../../shared/parser/parse-letter.ts';
import { decode, encode } from '../../shared/store/record-codec.ts';
import { citationValue, counterDeltas } from '../../shared/store/contribution.ts';
import {
  GUIDELINE_IDS,
  GUIDELINES,
  guidelineLabel,
  guidelineOf,
  isGuidelineId,
} from '../../shared/taxonomy/guidelines.ts';
import { corpusPdfs, HAVE_LETTERS, seedTexts } from '../support/letters.ts';

const ids = (paragraph: string) => parseCitations(paragraph).map((c) => c.guideline);

describe('the guideline vocabulary', () => {
  it('gives every guideline a title, an edition field and a distinct label', () => {
    const labels = GUIDELINE_IDS.map(guidelineLabel);
    expect(new Set(labels).size).toBe(GUIDELINE_IDS.length);
    for (const id of GUIDELINE_IDS) {
      expect(GUIDELINES[id].title.length).toBeGreaterThan(1);
      expect(id).toMatch(/^[a-z0-9-]+$/);
      expect(isGuidelineId(id)).toBe(true);
    }
    expect(guidelineLabel('mtus-chronic-pain-2016')).toBe(
      'MTUS Chronic Pain Medical Treatment Guidelines (2016)',
    );
    expect(guidelineLabel('odg')).toBe('Official Disability Guidelines');
    expect(isGuidelineId('toString')).toBe(false);
  });
});

// Wordings of the kinds docs/DOMAIN.md describes, written for this test.
describe('one id per document, whatever the wording', () => {
  it('names the MTUS chronic pain guideline by edition', () => {
    expect(
      ids('Decision based on MTUS Chronic Pain Medical Treatment 2016, Section(s): NSAIDs.'),
    ).toEqual(['mtus-chronic-pain-2016']);
    expect(
      ids(
        'Decision based on MTUS Chronic Pain Treatment Guidelines 9792.24.2, Opioids Page(s): 74-96.',
      ),
    ).toEqual(['mtus-chronic-pain-2009']);
    expect(
      ids('Decision based on MTUS Chronic Pain Medical Treatment Guidelines, Page(s): 113.'),
    ).toEqual(['mtus-chronic-pain-2009']);
    expect(ids('Decision based on MTUS Chronic Pain Medical Treatment 2009.')).toEqual([
      'mtus-chronic-pain-2009',
    ]);
  });

  it('takes an ACOEM chapter adopted into MTUS as one document, by title or by chapter', () => {
    const lowBack = [
      'Decision based on MTUS Low Back Complaints 2004, Section(s): Surgical Considerations.',
      'Decision based on MTUS ACOEM Chapter 12 Low Back Complaints Page(s): 305-307.',
      'Decision based on MTUS ACOEM, Chapter 12, Page(s): 290.',
      'Decision based on MTUS ACOEM Low Back Complaints Page(s): 300.',
    ];
    for (const wording of lowBack) expect(ids(wording), wording).toEqual(['mtus-low-back-2004']);
    expect(ids('Decision based on MTUS ACOEM Chapter 8 Neck and Upper Back Complaints.')).toEqual(
      ids('Decision based on MTUS Neck and Upper Back Complaints 2004, Section(s): Summary.'),
    );
    expect(ids('Decision based on MTUS Elbow Complaints 2007.')).toEqual(['mtus-elbow-2007']);
    expect(ids('Decision based on MTUS ACOEM Chapter 10 Elbow Disorders.')).toEqual([
      'mtus-elbow-2007',
    ]);
    expect(
      ids('Decision based on MTUS Forearm, Wrist, and Hand Complaints 2004, Section(s): Splints.'),
    ).toEqual(['mtus-forearm-wrist-hand-2004']);
    expect(
      ids(
        'Decision based on MTUS ACOEM Chapter 7 Independent Medical Examinations and Consultations Page(s): 127.',
      ),
    ).toEqual(['mtus-general-approaches-2004']);
  });

  it('keeps the other MTUS parts apart', () => {
    expect(ids('Decision based on MTUS Acupuncture Treatment 2007.')).toEqual([
      'mtus-acupuncture-2007',
    ]);
    expect(ids('Decision based on MTUS Acupuncture Medical Treatment Guidelines.')).toEqual([
      'mtus-acupuncture-2007',
    ]);
    expect(
      ids('Decision based on MTUS Opioid Treatment 2016, Section(s): 3.3.1 Opioid Tapering.'),
    ).toEqual(['mtus-opioids-2016']);
    expect(ids('Decision based on MTUS Opioids Treatment 2017, Section(s): Tapering.')).toEqual([
      'mtus-opioids-2016',
    ]);
    expect(ids('Decision based on MTUS Postsurgical Treatment 2009, Section(s): Knee.')).toEqual([
      'mtus-postsurgical-2009',
    ]);
    expect(
      ids(
        'Decision based on MTUS Knee Complaints 2004, Section(s): Activity, and Ankle and Foot Complaints 2004, Section(s): Summary.',
      ),
    ).toEqual(['mtus-knee-2004', 'mtus-ankle-foot-2004']);
  });

  it('gives ODG and ACOEM outside MTUS one id each, and other literature none', () => {
    expect(
      ids(
        'Decision based on Non-MTUS Citation Official Disability Guidelines (ODG) Knee & Leg, Arthroscopy.',
      ),
    ).toEqual(['odg']);
    expect(ids('Decision based on Non-MTUS Citation ODG Pain Chapter, Topiramate.')).toEqual([
      'odg',
    ]);
    expect(
      ids('Decision based on Non-MTUS Citation ACOEM Practice Guidelines, 3rd Edition, Chapter 6.'),
    ).toEqual(['acoem']);
    expect(
      ids('Decision based on Non-MTUS Citation Harrison, Internal Medicine, 18th ed.'),
    ).toEqual([null]);
    expect(ids('The Expert Reviewer did not cite any medical evidence for its decision.')).toEqual(
      [],
    );
    expect(guidelineOf({ source: 'MTUS', title: 'MTUS', year: null })).toBe('mtus-unspecified');
  });

  it('is what statistics by citation count', () => {
    const [a] = parseCitations('Decision based on MTUS Low Back Complaints 2004.');
    const [b] = parseCitations('Decision based on MTUS ACOEM Chapter 12 Low Back Complaints.');
    const [c] = parseCitations('Decision based on Non-MTUS Citation Harrison, Medicine.');
    expect(citationValue(a!)).toBe('mtus-low-back-2004');
    expect(citationValue(b!)).toBe('mtus-low-back-2004');
    expect(citationValue(c!)).toBe('Other|Harrison, Medicine');
  });
});

describe.skipIf(!HAVE_LETTERS)('the guidelines of the seeds and the corpus', () => {
  const citations: { letter: string; citation: Citation }[] = [];
  const records: Awaited<ReturnType<typeof parseLetter>>[] = [];

  beforeAll(async () => {
    for (const path of [...seedTexts(), ...corpusPdfs()]) {
      const name = path.split('/').pop()!;
      const d = await parseLetter(new Uint8Array(await readFile(path)), name);
      records.push(d);
      for (const issue of d.issues) {
        for (const citation of [...issue.citations, ...issue.claimsAdministratorCitations]) {
          citations.push({ letter: name, citation });
        }
      }
    }
  }, 120_000);

  it('name one for every MTUS, ACOEM and ODG citation, of the same source', () => {
    expect(records).toHaveLength(125);
    const guideline = citations.filter((c) => c.citation.source !== 'Other');
    expect(guideline.length).toBeGreaterThan(300);
    for (const { letter, citation } of citations) {
      const id = citation.guideline;
      if (citation.source === 'Other') {
        expect(id, letter).toBeNull();
        continue;
      }
      expect(id, `${letter}: ${citation.title}`).not.toBeNull();
      expect(GUIDELINES[id!].source).toBe(citation.source);
      // Every MTUS part the letters name is recognised.
      expect(id, `${letter}: ${citation.title} ${citation.year}`).not.toBe('mtus-unspecified');
    }
  });

  it('join the wordings of one document and keep editions apart', () => {
    const wordings = new Map<string, Set<string>>();
    for (const { citation } of citations) {
      if (citation.guideline === null) continue;
      const set = wordings.get(citation.guideline) ?? new Set();
      set.add(`${citation.title} ${citation.year ?? ''}`.trim());
      wordings.set(citation.guideline, set);
    }
    // Old and new wordings of the same documents, both in the letters.
    expect([...wordings.get('mtus-acupuncture-2007')!].sort()).toEqual([
      'Acupuncture Treatment 2007',
      'Acupuncture Treatment Guidelines',
    ]);
    expect(wordings.get('mtus-low-back-2004')).toEqual(
      new Set(['ACOEM Chapter 12 Low Back Complaints', 'Low Back Complaints 2004']),
    );
    expect(wordings.get('mtus-chronic-pain-2009')).toEqual(
      new Set(['Chronic Pain Treatment Guidelines', 'Chronic Pain Medical Treatment 2009']),
    );
    expect(wordings.get('mtus-chronic-pain-2016')).toEqual(
      new Set(['Chronic Pain Medical Treatment 2016']),
    );
  });

  it('survive storage, and records stored before them gain them on read', () => {
    for (const d of records) {
      expect(decode(encode(d))).toEqual(d);
      const old = structuredClone(d) as unknown as {
        issues: { citations: Record<string, unknown>[] }[];
      };
      for (const issue of old.issues) for (const c of issue.citations) delete c['guideline'];
      expect(decode(encode(old as never))).toEqual(d);
    }
  });

  it('are the values statistics by citation count', () => {
    const d = records.find((r) =>
      r.issues.some((i) => i.citations.some((c) => c.guideline === 'mtus-chronic-pain-2016')),
    )!;
    const keys = counterDeltas('X', d).map((k) => k.SK);
    expect(keys.some((sk) => sk.includes('mtus-chronic-pain-2016'))).toBe(true);
    expect(keys.some((sk) => sk.includes('MTUS|Chronic Pain'))).toBe(false);
  });
});
