import { SCRUBBED_RE } from '../privacy/index.ts';
// Words of a request as the term index stores them, and as a keyword query is split. Both sides
// go through the same function so that what was indexed is what can be found.

// Words too common in requests to be worth an index partition of their own: grammar, and the
// wording of doses, counts and schedules. Queries go through the same function, so a query word
// that is not indexed is simply not part of the query.
const STOPWORDS = new Set(
  (
    'a an and as at by each for in of on or per the to with x dos qty take every needed times ' +
    'one two three four five six once twice daily day days week weeks month months hour hours ' +
    'tablet tablets tab tabs capsule capsules mouth po prn sessions session visits visit ' +
    'request requested additional purchase rental unknown quantity refill refills'
  ).split(' '),
);

/** An item is indexed under at most this many terms (the first ones of its request). */
export const MAX_TERMS_PER_ITEM = 12;

/** Normalised words of a text: lower case, accents folded, numbers alone and stopwords dropped. */
export function terms(text: string): string[] {
  const folded = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
  // Keep dose notation ("10/325mg", "0.5%") together: it is what people search for.
  const words = folded.match(/[a-z0-9]+(?:[./][a-z0-9]+)*%?/g) ?? [];
  const out: string[] = [];
  for (const w of words) {
    if (w.length < 2 || STOPWORDS.has(w) || /^\d+$/.test(w)) continue;
    if (!out.includes(w)) out.push(w);
  }
  return out;
}

/** The terms an item is indexed under: its request's words, plus its drug's generic name. */
export function requestTerms(request: string, drug: string | null): string[] {
  // What the scrubber put in place of a name is not a word of the request.
  const out = terms(request.replace(SCRUBBED_RE, ' ')).slice(0, MAX_TERMS_PER_ITEM);
  // A combination ("hydrocodone/acetaminophen") is found by each of its drugs.
  const drugWords = drug === null ? [] : drug.split('/').flatMap((d) => terms(d));
  for (const w of drugWords) if (!out.includes(w)) out.push(w);
  return out;
}
