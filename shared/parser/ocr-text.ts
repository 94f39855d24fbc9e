// OCR misreads a letter's fixed wording in a few recurring ways ("Overtumed" for Overturned, a
// semicolon for a colon, "iterms" for items). The parser keys on that wording, so OCR'd text has
// it restored before parsing: only the letters' own labels, headings, decision words and the
// fixed phrases counted fields are read from (citation openings, MTUS part titles, the sentences
// that cite nothing, "medically necessary"), each within a small edit distance of the real one,
// never the letter's content. What was mended is reported, so the fields read from it are
// flagged (ocr-flags.ts). Text layers and text files are never repaired.

/** Levenshtein distance, for short strings. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

const HEADINGS = [
  'HOW THE IMR FINAL DETERMINATION WAS MADE',
  'CLINICAL CASE SUMMARY',
  'IMR ISSUES, DECISIONS AND RATIONALES',
  'The Final Determination was based on decisions for the disputed items/services set forth below:',
];

const LABELS: [RegExp, string][] = [
  [/^Claims\s+Admin\w*(?:'s)?\s+gu\w*\s*[:;,.]\s*/i, 'Claims Administrator guideline: '],
  [/^(MAXIMUS|Expert\s+Reviewer|IMR\s+Reviewer)((?:'s)?)\s+gu\w*\s*[:;,.]\s*/i, '$1$2 guideline: '],
  [/^Decision\s+rat\w*\s*[:;,.]\s*/i, 'Decision rationale: '],
];

const DECISIONS = ['Upheld', 'Overturned'];
// A request line ends in ": Upheld" (or the decision stands alone on the next line).
const lineEndWordRe = /^(.*?)(?:\s*[:;,.]\s*|\s+|^)([A-Za-z]{5,11})\s*\.?$/;

function closest(word: string, candidates: readonly string[], maxDistance: number): string | null {
  for (const c of candidates) {
    if (editDistance(word.toLowerCase(), c.toLowerCase()) <= maxDistance) return c;
  }
  return null;
}

// Dust and noise become stray marks at a line's ends (". '", ":"), standing apart from the words.
const strayMarksRe = /^(?:[^\p{L}\p{N}\s(["'#$]{1,3}\s+)+|(?:\s+[^\p{L}\p{N}\s)%]{1,3})+$/gu;

/** Fixed wording OCR misread and repair restored: a decision word, or a phrase. */
export interface Mend {
  kind: 'decision' | 'phrase';
  /** What OCR read. */
  read: string;
  /** What repair wrote in its place. */
  wrote: string;
  /** For a phrase, the words around it as they stand in the text, to find the field it is in. */
  before: string[];
  after: string[];
}

function repairLine(line: string, mends: Mend[]): string {
  const trimmed = line.trim().replace(strayMarksRe, '');
  if (trimmed === '') return line;
  for (const heading of HEADINGS) {
    // A heading stands alone on its line; up to one misread character in eight is allowed.
    if (Math.abs(trimmed.length - heading.length) > 4) continue;
    if (editDistance(trimmed.toLowerCase(), heading.toLowerCase()) <= heading.length / 8) {
      return heading;
    }
  }
  for (const [re, label] of LABELS) {
    if (re.test(trimmed)) return trimmed.replace(re, label);
  }
  const m = lineEndWordRe.exec(trimmed);
  if (m !== null) {
    const decision = closest(m[2]!, DECISIONS, 2);
    // Only after a colon-like mark, or alone on the line: "upheld" in prose is left alone.
    const marked = m[1] === '' || /[:;,.]\s*[A-Za-z]+\s*\.?$/.test(trimmed);
    const colon = /:\s*[A-Za-z]+\s*\.?$/.test(trimmed);
    if (decision !== null && marked && (m[2] !== decision || (m[1] !== '' && !colon))) {
      if (m[2]!.toLowerCase() !== decision.toLowerCase())
        mends.push({ kind: 'decision', read: m[2]!, wrote: decision, before: [], after: [] });
      return m[1] === '' ? decision : `${m[1]}: ${decision}`;
    }
  }
  return (trimmed === line.trim() ? line : trimmed)
    .replace(/\bClaims\s+A\s?dmin\w*/g, 'Claims Administrator')
    .replace(
      /authorized by the Claims Administrator\s*[,;:]/gi,
      'authorized by the Claims Administrator.',
    )
    .replace(/was the original request\s*[,;:]/gi, 'was the original request.');
}

// Phrases the counted fields are read from, mended where OCR misread a letter or two: the opening
// of a citation ("Decision based on MTUS ...", "... on Non-MTUS Citation"), and "medically
// necessary", which a rationale's conclusion is read from. Only as whole phrases in their
// places, never a word alone: "decisions based on" in prose, or an "ODG" standing alone, stay.
const SOURCES = ['MTUS', 'ACOEM', 'ODG'];
const OPENER = ['decision', 'based', 'on'];
// Words of MTUS part titles (shared/taxonomy/guidelines.ts), mended in a citation's head only.
const MTUS_WORDS = [
  'Acupuncture',
  'Ankle',
  'Chronic',
  'Complaints',
  'Conditions',
  'Disorders',
  'Elbow',
  'Forearm',
  'General',
  'Approaches',
  'Knee',
  'Medical',
  'Neck',
  'Opioid',
  'Opioids',
  'Postsurgical',
  'Shoulder',
  'Stress',
  'Related',
  'Treatment',
  'Upper',
  'Wrist',
];
/** Words after "Decision based on MTUS" searched for its parts' titles and years. */
const CITATION_WORDS = 40;
/** Words of an MTUS part title ("Forearm, Wrist, and Hand Complaints" has five). */
const TITLE_WORDS = 6;
const NECESSARY = ['medically', 'necessary'];

interface Token {
  start: number;
  /** The word without the punctuation around it. */
  word: string;
  /** Punctuation before and after the word. */
  lead: string;
  tail: string;
}

function tokensOf(text: string): Token[] {
  return [...text.matchAll(/\S+/g)].map((m) => {
    const [, lead, word, tail] = /^([^\p{L}\p{N}]*)(.*?)([^\p{L}\p{N}]*)$/su.exec(m[0])!;
    return { start: m.index, word: word!, lead: lead!, tail: tail! };
  });
}

/** Characters OCR confuses in capitals and digits, made one. */
const capitals = (w: string): string =>
  w.replace(/0/g, 'O').replace(/5/g, 'S').replace(/[1|l]/g, 'I').toUpperCase();

/** Differing characters of two words of the same length; Infinity for different lengths. */
function substitutions(a: string, b: string): number {
  if (a.length !== b.length) return Infinity;
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n;
}

/** The source word (MTUS, ACOEM, ODG) a word is, with a capital misread in words of 4 or more. */
function sourceWord(word: string): string | null {
  const w = capitals(word);
  for (const source of SOURCES) {
    if (substitutions(w, source) <= (source.length >= 4 ? 1 : 0)) return source;
  }
  return null;
}

/** The source a citation opens with: "MTUS", "Non-MTUS" and the like, or null. */
function sourceOf(word: string): string | null {
  const non = /^(\p{L}{3})[-\u2010-\u2014](\S+)$/u.exec(word);
  if (non !== null) {
    const rest = sourceWord(non[2]!);
    return substitutions(non[1]!.toLowerCase(), 'non') <= 1 && rest === 'MTUS' ? 'Non-MTUS' : null;
  }
  return sourceWord(word);
}

/** A lower-case word within `max` substitutions of `target` (rn read for m made one). */
const near = (word: string, target: string, max: number): boolean =>
  substitutions(word.toLowerCase().replace(/rn/g, 'm').replace(/[1|]/g, 'l'), target) <= max;

// Sentences citation paragraphs use when they cite nothing (citations.ts drops them), in full:
// misread, they would be counted as citations of other literature.
const BOILERPLATE = ['The Claims Administrator', 'The Expert Reviewer'].flatMap((who) => [
  `${who} did not cite any medical evidence for its decision`,
  `${who} based their decision on recommendation(s) outside of the MTUS Guidelines`,
]);

/** The text with near-misses of the boilerplate sentences (one character in eight) restored. */
function repairBoilerplate(text: string, mends: Mend[]): string {
  let out = '';
  let at = 0;
  for (const start of [...text.matchAll(/\bThe\s/g)].map((m) => m.index)) {
    if (start < at) continue;
    let best: { end: number; sentence: string; distance: number } | null = null;
    for (const sentence of BOILERPLATE) {
      const head = text.slice(start, start + 40).replace(/\s+/g, ' ');
      if (editDistance(head.slice(0, 24), sentence.slice(0, 24)) > 4) continue;
      // Candidate ends: each word end up to a few characters past the sentence's length.
      const re = /\S+/g;
      re.lastIndex = start;
      for (let m = re.exec(text); m !== null; m = re.exec(text)) {
        const end = m.index + m[0].replace(/[.,;:]+$/, '').length;
        const read = text.slice(start, end).replace(/\s+/g, ' ');
        if (read.length > sentence.length + 6) break;
        if (read.length < sentence.length - 6) continue;
        const distance = editDistance(read, sentence);
        if (distance <= sentence.length / 8 && (best === null || distance < best.distance)) {
          best = { end, sentence, distance };
        }
      }
    }
    if (best === null) continue;
    if (best.distance === 0 && !/^[,;:]/.test(text.slice(best.end))) continue;
    // The sentence ends in a period, which OCR may read as a comma.
    const end = /^[,;:]/.test(text.slice(best.end)) ? best.end + 1 : best.end;
    const wrote = end > best.end ? `${best.sentence}.` : best.sentence;
    mends.push({ kind: 'phrase', read: text.slice(start, end), wrote, before: [], after: [] });
    out += text.slice(at, start) + wrote;
    at = end;
  }
  return out + text.slice(at);
}

// Words around a mended phrase that a mend keeps, to find the field it was read into.
const CONTEXT_WORDS = 4;

// "Non-MTUS" as OCR breaks it before "Citation": "Norr MT US", "NorrMTUS", "Nor- MTUS".
const nonMtusRe = /\bN[a-z]{1,3}(?:[-\u2010-\u2014]\s?|\s?)M\s?T\s?U\s?S(?=\s+Citation)/g;

function repairPhrases(read: string, mends: Mend[]): string {
  const text = read.replace(nonMtusRe, (found, at: number) => {
    if (found === 'Non-MTUS') return found;
    const after = tokensOf(read.slice(at + found.length, at + found.length + 80))
      .slice(0, CONTEXT_WORDS)
      .map((t) => t.lead + t.word + t.tail);
    mends.push({ kind: 'phrase', read: found, wrote: 'Non-MTUS', before: [], after });
    return 'Non-MTUS';
  });
  const tokens = tokensOf(text);
  const edits: { token: Token; word: string; dropTail?: boolean }[] = [];
  /** Mends tokens from `at` to the given words, reporting them with the words that follow. */
  const mend = (at: number, words: readonly string[], before = 0): void => {
    const span = tokens.slice(at, at + words.length);
    if (span.every((t, k) => t.word.toLowerCase() === words[k]!.toLowerCase())) return;
    span.forEach((token, k) => {
      if (token.word !== words[k]) edits.push({ token, word: words[k]! });
    });
    const raw = (t: Token): string => t.lead + t.word + t.tail;
    mends.push({
      kind: 'phrase',
      read: span.map(raw).join(' '),
      wrote: span.map((t, k) => t.lead + words[k]! + t.tail).join(' '),
      before: tokens.slice(Math.max(0, at - before), at).map(raw),
      after: tokens.slice(at + words.length, at + words.length + CONTEXT_WORDS).map(raw),
    });
  };
  /**
   * An MTUS citation's head from token `from`: a title word a letter or two off (at most one
   * in five), and a comma or period OCR put between the title and its year.
   */
  const repairHead = (from: number): void => {
    const last = Math.min(tokens.length, from + CITATION_WORDS);
    for (let k = from; k < last && !/^Decision$/i.test(tokens[k]!.word); k++) {
      const year = tokens[k]!;
      if (!/^(?:19|20)\d\d$/.test(year.word) || year.lead !== '') continue;
      const title = tokens[k - 1];
      if (title !== undefined && /^[.,]$/.test(title.tail)) {
        tails.push(title);
        mends.push({
          kind: 'phrase',
          read: `${title.word}${title.tail} ${year.word}`,
          wrote: `${title.word} ${year.word}`,
          before: [],
          after: [],
        });
      }
      // The title: the words before its year, back to "and", a colon or the source word.
      for (let t = k - 1; t >= Math.max(from, k - TITLE_WORDS); t--) {
        const token = tokens[t]!;
        if (/^(?:and|MTUS)$/i.test(token.word) || /:/.test(token.tail)) break;
        if (token.word.length < 5 || MTUS_WORDS.includes(token.word)) continue;
        const word = MTUS_WORDS.find(
          (w) => editDistance(token.word, w) <= Math.floor(w.length / 5),
        );
        if (word !== undefined) mend(t, [word]);
      }
    }
  };
  const tails: Token[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const [a, b, c, d] = [tokens[i]!, tokens[i + 1], tokens[i + 2], tokens[i + 3]];
    if (b !== undefined && c !== undefined && d !== undefined && a.tail === '' && b.tail === '') {
      const source = d.lead === '' ? sourceOf(d.word) : null;
      const words = [a, b, c].map((t) => t.word.toLowerCase());
      const misread = words.reduce((n, w, k) => n + substitutions(w, OPENER[k]!), 0);
      if (source !== null && misread <= 2 && words.every((w, k) => near(w, OPENER[k]!, 1))) {
        mend(i, ['Decision', 'based', 'on', source]);
        if (source === 'MTUS') repairHead(i + 4);
        i += 3;
        continue;
      }
    }
    if (b !== undefined && a.tail === '' && b.lead === '') {
      const [x, y] = [a.word.toLowerCase(), b.word.toLowerCase()];
      if (near(x, NECESSARY[0]!, 2) && near(y, NECESSARY[1]!, 2)) {
        // "not" misread by shapes alone ("riot", "n0t"); a real word ("now") is left as read.
        const before = tokens[i - 1];
        const not = before?.word.toLowerCase().replace(/ri/g, 'n').replace(/0/g, 'o');
        if (before !== undefined && before.tail === '' && not === 'not' && before.word !== 'not') {
          mend(i - 1, ['not', a.word, b.word], CONTEXT_WORDS);
        }
        mend(i, [/^\p{Lu}/u.test(a.word) ? 'Medically' : 'medically', 'necessary'], CONTEXT_WORDS);
        i += 1;
      }
    }
  }
  for (const token of tails) edits.push({ token, word: token.word, dropTail: true });
  edits.sort((x, y) => x.token.start - y.token.start);
  let out = '';
  let at = 0;
  for (const { token, word, dropTail } of edits) {
    const start = token.start + token.lead.length;
    if (start < at) continue;
    out += text.slice(at, start) + word;
    at = start + token.word.length + (dropTail === true ? token.tail.length : 0);
  }
  return out + text.slice(at);
}

/**
 * OCR'd text with the letters' fixed wording restored where OCR misread it slightly, and the
 * words of it that were mended (decision words and the phrases citations and conclusions are
 * read from), so that what they give can be flagged.
 */
export function repairOcr(text: string): { text: string; mends: Mend[] } {
  const mends: Mend[] = [];
  const lines = text.split('\n').map((line) => repairLine(line, mends));
  const phrased = repairPhrases(lines.join('\n'), mends);
  return { text: repairBoilerplate(phrased, mends), mends };
}

/** OCR'd text with the letters' fixed wording restored where OCR misread it slightly. */
export function repairOcrText(text: string): string {
  return repairOcr(text).text;
}
