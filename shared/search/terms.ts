// Words of a request as the term index stores them, and as a keyword query is split. Both sides
// go through the same function so that what was indexed is what can be found.

// Words that carry no meaning on their own in a treatment request.
const STOPWORDS = new Set([
  'a',
  'an',
  'dos',
  'every',
  'needed',
  'qty',
  'take',
  'and',
  'as',
  'at',
  'by',
  'each',
  'for',
  'in',
  'of',
  'on',
  'or',
  'per',
  'the',
  'to',
  'times',
  'with',
  'x',
]);

/** An item is indexed under at most this many terms (the first ones of its request). */
export const MAX_TERMS_PER_ITEM = 16;

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
  const out = terms(request).slice(0, MAX_TERMS_PER_ITEM);
  // A combination ("hydrocodone/acetaminophen") is found by each of its drugs.
  const drugWords = drug === null ? [] : drug.split('/').flatMap((d) => terms(d));
  for (const w of drugWords) if (!out.includes(w)) out.push(w);
  return out;
}
