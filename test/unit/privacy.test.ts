import { readFile } from 'node:fs/promises';
import { getResolvedPDFJS } from 'unpdf';
import { describe, expect, it } from 'vitest';
import { parseLetter, parseLetterText } from '../../shared/parser/parse-letter.ts';
import { redact } from '../../shared/privacy/redact.ts';
import { requestTerms } from '../../shared/search/terms.ts';
import { renderLetter } from '../../synthetic/render-letter.ts';
import { SPEC } from '../fixtures/synthetic-letter.ts';
import { corpusPdfs, HAVE_LETTERS } from '../support/letters.ts';

describe('redact', () => {
  it.each([
    ['Seen by Dr. Alvarez on 3/4/16.', 'Seen by Dr [name] on 3/4/16.'],
    ['Mr. John Doe reports pain.', 'Mr [name] reports pain.'],
    ['Claim Number: 05A-1234567 was accepted.', 'Claim Number: [redacted] was accepted.'],
    ['DOB: 01/02/1960, male.', 'DOB [dob], male.'],
    ['SSN 123-45-6789 on file.', 'SSN [ssn] on file.'],
    ['Call (916) 555-0134 or 916-555-0134.', 'Call [phone] or [phone].'],
    ['Write to jdoe@example.com today.', 'Write to [email] today.'],
    ['Lives at 1234 Elm Street, Apt 5 in town.', 'Lives at [address] in town.'],
    ['WCAB case ADJ9876543 and ADJ 1234567.', 'WCAB case [redacted] and [redacted].'],
    ['Employee: Jose Hernandez was seen.', 'Employee: [redacted] was seen.'],
    ['Employer: Acme Trucking & Sons reported it.', 'Employer: [redacted] reported it.'],
    [
      'Requesting Physician: Lee Park requested it.',
      'Requesting Physician: [redacted] requested it.',
    ],
    ['Mail to Fresno, CA 93721-0001 or P.O. Box 4410.', 'Mail to [address] or [address].'],
  ])('%s', (input, output) => {
    expect(redact(input).text).toBe(output);
  });

  it.each([
    'Norco 10/325mg #60 three times a day, 2 refills; L4-5 and L5-S1 levels.',
    'A gym membership 2016 was requested; CPT 99213; ICD-10 M54.5; 12 sessions 2x6.',
    'MTUS Chronic Pain Medical Treatment Guidelines 9792.24.2, Page(s): 60, 98-99.',
    'The patient is a 48 year old male injured on 10-13-16; UR dated 11/03/2016.',
    'St. John’s wort; Dr.\u00a0orders reviewed; Ms is multiple sclerosis.',
    'Claims Administrator guideline: Decision based on MTUS; the employee returned to work.',
    'Adjusted dose; CA MTUS 2016; 93721 units; ADJ and ADJUNCT therapy in San Jose clinic.',
  ])('leaves medical text alone: %s', (text) => {
    expect(redact(text)).toEqual({ text, replaced: 0 });
  });
});

describe('the search index', () => {
  it('takes no term from what the scrubber left in a request', () => {
    const request = redact('Follow-up with Dr. Lee Park, claim number 05A-1234567').text;
    expect(request).toBe('Follow-up with Dr [name], claim number [redacted]');
    expect(requestTerms(request, null)).toEqual(['follow', 'up', 'dr', 'claim', 'number']);
  });
});

describe('the public record', () => {
  it('carries no identifiers from an unredacted original, and says it removed some', () => {
    const spec = {
      ...SPEC,
      summary: `Mr. John Doe (Claim Number: 05A-1234567, DOB: 01/02/1960) is a 52 year old female. ${SPEC.summary}`,
      items: SPEC.items.map((i) => ({
        ...i,
        rationale: `Dr. Alvarez notes improvement. ${i.rationale}`,
      })),
    };
    const d = parseLetterText(renderLetter(spec, { layout: 'full-letter' }), 'original.pdf');
    const json = JSON.stringify(d);
    for (const identifier of ['John', 'Doe', '05A-1234567', '01/02/1960', 'Alvarez']) {
      expect(json).not.toContain(identifier);
    }
    expect(d.flags).toContain('redacted-identifiers');
    expect(d.issues[0]!.conclusion).toBe('not medically necessary');
  });

  it.skipIf(!HAVE_LETTERS)(
    'never includes the PDF metadata (the corpus PDFs name their author)',
    async () => {
      const { getDocument } = await getResolvedPDFJS();
      for (const path of corpusPdfs().slice(0, 20)) {
        const bytes = new Uint8Array(await readFile(path));
        const task = getDocument({ data: bytes.slice(), verbosity: 0 });
        const { info } = await (await task.promise).getMetadata();
        await task.destroy();
        // The author is the identifying field; read from the file, so no name is in this repository.
        const author = (info as { Author?: unknown }).Author;
        expect(typeof author, path).toBe('string');
        const values = [String(author)];
        const json = JSON.stringify(await parseLetter(bytes, path));
        for (const value of values) expect(json, `${path}: ${value}`).not.toContain(value);
      }
    },
  );
});
