import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { publicItem } from '../../shared/api/items.ts';
import type { Determination } from '../../shared/record/determination.ts';
import { itemCsvHeader, itemCsvLine, itemRows } from '../../shared/export/items.ts';
import { extractText } from '../../shared/parser/extract-text.ts';
import { toLines } from '../../shared/parser/normalize.ts';
import { parseLetter, parseLetterText } from '../../shared/parser/parse-letter.ts';
import { readCover } from '../../shared/privacy/cover.ts';
import {
  AGE_90_OR_OLDER,
  publicDetermination,
  publicDeterminationSchema,
} from '../../shared/privacy/public-record.ts';
import { counterDeltas, indexEntries } from '../../shared/store/contribution.ts';
import { renderPdf } from '../../synthetic/pdf.ts';
import { renderLetter } from '../../synthetic/render-letter.ts';
import { SPEC } from '../fixtures/synthetic-letter.ts';
import { corpusPdfs, HAVE_LETTERS, seedTexts } from '../support/letters.ts';
import {
  IDENTIFIERS,
  mailedCopy,
  RATIONALE_SCRUBBED,
  SUMMARY_SCRUBBED,
} from '../support/mailed.ts';

interface Letter {
  name: string;
  text: string;
  published: Determination;
}

// Every corpus letter (its text as the project's extractor reads the PDF) and every seed.
const letters: Letter[] = [];
beforeAll(async () => {
  if (!HAVE_LETTERS) return;
  for (const path of [...corpusPdfs(), ...seedTexts()]) {
    const bytes = new Uint8Array(await readFile(path));
    const text = path.endsWith('.pdf')
      ? await extractText(bytes, path)
      : new TextDecoder().decode(bytes);
    const name = basename(path).replace(/\.pdf$/, '.txt');
    letters.push({ name, text, published: parseLetterText(text, name) });
  }
}, 120_000);

/**
 * The record without its free text: every field a cover or a name in the prose must not move.
 * `textSource` says only whether the letter came as PDF or text, which a cover does not change.
 */
function coded(d: Determination): unknown {
  return {
    ...d,
    textSource: null,
    summary: null,
    flags: d.flags.filter((f) => f !== 'redacted-identifiers'),
    issues: d.issues.map((i) => ({ ...i, rationale: null })),
  };
}

/** Everything the public side serialises of a record: API, site, statistics and exports. */
function published(id: string, d: Determination): string {
  const index = indexEntries(id, d);
  return [
    JSON.stringify(publicDetermination(id, d)),
    JSON.stringify(index.map((e) => publicItem(e.item))),
    JSON.stringify(index.map(({ item: _item, ...key }) => key)),
    JSON.stringify(counterDeltas(id, d)),
    itemCsvHeader() + itemRows(id, d).map(itemCsvLine).join(''),
  ].join('\n');
}

describe('a letter as mailed to the parties', () => {
  it.skipIf(!HAVE_LETTERS)(
    'parses to the published copy’s record, and only the sentences naming the parties differ',
    () => {
      expect(letters).toHaveLength(125);
      for (const { name, text, published: p } of letters) {
        const mailed = parseLetterText(mailedCopy(text, { caseNumber: p.caseNumber }), name);
        expect(coded(mailed), name).toEqual(coded(p));
        expect(mailed.flags, name).toEqual([...p.flags, 'redacted-identifiers']);
        // The prose is the published prose plus what the scrubber leaves of the added sentences.
        expect(mailed.summary, name).toBe(
          p.summary === null ? null : `${p.summary} ${SUMMARY_SCRUBBED}`,
        );
        expect(
          mailed.issues.map((i) => i.rationale),
          name,
        ).toEqual(
          p.issues.map((i) =>
            i.rationale === '' ? RATIONALE_SCRUBBED : `${RATIONALE_SCRUBBED} ${i.rationale}`,
          ),
        );
      }
    },
  );

  it.skipIf(!HAVE_LETTERS)(
    'publishes none of the identifiers, even where the guideline lines name them',
    () => {
      for (const { name, text, published: p } of letters) {
        const mailed = parseLetterText(
          mailedCopy(text, { caseNumber: p.caseNumber, guidelines: true }),
          name,
        );
        const out = `${JSON.stringify(mailed)}\n${published(p.caseNumber ?? 'X-0', mailed)}`;
        for (const id of IDENTIFIERS) expect(out, `${name}: ${id}`).not.toContain(id);
        // The header table still counts, not the cover's: the same decisions, dates and citations
        // sources, whatever the guideline lines now begin with.
        expect(mailed.dates, name).toEqual(p.dates);
        expect(
          mailed.issues.map((i) => [i.decision, i.category, i.drug]),
          name,
        ).toEqual(p.issues.map((i) => [i.decision, i.category, i.drug]));
      }
    },
  );

  it.skipIf(!HAVE_LETTERS)('reads the same from a PDF whose first page is the cover', async () => {
    // Corpus letters: their text came from a PDF, so it lays out again as one.
    const sample = letters.filter((l, i) => l.name.startsWith('CM') && i % 12 === 0);
    expect(sample.length).toBeGreaterThanOrEqual(10);
    for (const { name, text, published: p } of sample) {
      const lines = mailedCopy(text, { caseNumber: p.caseNumber }).split('\n');
      const mailed = await parseLetter(
        renderPdf(lines, { linesPerPage: 2000, pageFooter: false }),
        name,
      );
      expect(coded(mailed), name).toEqual(coded(p));
      const out = `${JSON.stringify(mailed)}\n${published(p.caseNumber ?? 'X-0', mailed)}`;
      for (const id of IDENTIFIERS) expect(out, `${name}: ${id}`).not.toContain(id);
    }
  });

  it('removes the issue’s own examples: a labelled employee, a plain name, an employer, ADJ, city and ZIP', () => {
    const cover = [
      'Jose Hernandez',
      '77 Orchard Lane',
      'Fresno, CA 93721',
      'Employee: Jose Hernandez',
      'Claim Number: 05A-1234567',
      'WCAB Case Number: ADJ1234567',
      'Employer: Acme Trucking, Inc.',
      'Claims Administrator: Sunbelt Claims Services',
      'Requesting Physician: Dr. John Smith',
      'Dear Mr. Hernandez:',
    ];
    const spec = {
      ...SPEC,
      summary:
        `${SPEC.summary} John Smith referred the worker, who drives for Acme Trucking in ` +
        'Fresno (93721), case ADJ1234567; Hernandez reported no change.',
    };
    const text = [...cover, renderLetter(spec, { layout: 'full-letter' })].join('\n');
    const d = parseLetterText(text, 'mailed.txt');
    const plain = parseLetterText(renderLetter(SPEC, { layout: 'full-letter' }), 'mailed.txt');
    expect(coded(d)).toEqual(coded(plain));
    const out = published(d.caseNumber!, d);
    for (const id of ['Jose', 'Hernandez', 'John', 'Smith', 'Acme', 'Fresno', '93721', 'ADJ'])
      expect(out).not.toContain(id);
    expect(d.summary).toContain(
      '[name] referred the worker, who drives for [organisation] in [address] ([redacted]), ' +
        'case [redacted]; [name] reported no change.',
    );
  });
});

describe('the cover reader', () => {
  it.skipIf(!HAVE_LETTERS)('finds no cover on any published letter', () => {
    for (const { name, text } of letters) {
      const lines = toLines(text);
      const first = lines.findIndex((l) =>
        /^(?:HOW THE IMR|CLINICAL CASE SUMMARY|IMR ISSUES)/.test(l),
      );
      expect(readCover(lines, first), name).toEqual({ identifiers: [], end: 0 });
    }
  });

  it('pairs labels printed first with the values printed after them', () => {
    const lines = [
      'Employee:',
      'Employer:',
      'Claim Number:',
      'Maria Delgado',
      'Sunrise Bakery',
      '88-123456',
      'HOW THE IMR FINAL DETERMINATION WAS MADE',
    ];
    const { identifiers, end } = readCover(lines, 6);
    expect(end).toBe(6);
    expect(identifiers.map((i) => `${i.kind}:${i.text}`)).toEqual(
      expect.arrayContaining([
        'name:Maria Delgado',
        'name:Maria',
        'name:Delgado',
        'organisation:Sunrise Bakery',
        'number:88-123456',
      ]),
    );
  });

  it('takes nothing from the reviewer’s letterhead or a salutation that names no one', () => {
    const lines = [
      'MAXIMUS Federal Services',
      'P.O. Box 138009',
      'Sacramento, CA 95813-8009',
      'Dear Sir or Madam:',
      'Case Number: CM16-0000042',
    ];
    expect(readCover(lines, lines.length)).toEqual({ identifiers: [], end: 4 });
  });
});

describe('the public record (HIPAA Safe Harbor)', () => {
  const base = parseLetterText(renderLetter(SPEC, { layout: 'full-letter' }), 'x.txt');

  it('gives the year of injury, never its date, in the fields and in the prose', () => {
    const injury = base.dates.injury!;
    const [y, m, day] = injury.split('-');
    const usShort = `${Number(m)}-${Number(day)}-${y!.slice(2)}`;
    const record = { ...base, summary: `Injured on ${usShort}; seen again later.` };
    const pub = publicDetermination('CM16-0000042', record);
    expect(publicDeterminationSchema.parse(pub)).toEqual(pub);
    expect(pub.dates).not.toHaveProperty('injury');
    expect(pub.dates.injuryYear).toBe(Number(y));
    expect(pub.summary).toBe(`Injured on ${y}; seen again later.`);
    expect(published('CM16-0000042', record)).not.toContain(injury);
    // `imr parse` keeps the date.
    expect(record.dates.injury).toBe(injury);
  });

  it('gives ages over 89 as "90 or older", in the field and in the prose', () => {
    const old = {
      ...base,
      patient: { age: 93, sex: 'female' as const },
      summary: 'The patient is a 93 year old female, aged 93, with knee pain.',
    };
    const pub = publicDetermination('CM16-0000042', old);
    expect(pub.patient.age).toBe(AGE_90_OR_OLDER);
    expect(pub.summary).toBe(
      'The patient is a [90 or older] year old female, aged [90 or older], with knee pain.',
    );
    expect(publicDeterminationSchema.parse(pub).patient.age).toBe(AGE_90_OR_OLDER);
    const young = publicDetermination('CM16-0000042', {
      ...base,
      patient: { age: 89, sex: 'male' },
    });
    expect(young.patient.age).toBe(89);
  });
});
