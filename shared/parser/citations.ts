// Parses the "Claims Administrator guideline:" and "MAXIMUS guideline:" paragraphs into
// citations, by the conventions in docs/RECORD.md, "Citations" (docs/DOMAIN.md, "Cited guidelines").
import type { Citation, CitationSource } from '../record/index.ts';
import { guidelineOf } from '../taxonomy/index.ts';

/** A citation as parsed, before its guideline is named. */
type ParsedCitation = Omit<Citation, 'guideline'>;

/** Canonical title of every ODG citation. */
export const ODG_TITLE = 'Official Disability Guidelines';
/** Canonical title of every ACOEM citation made outside MTUS. */
export const ACOEM_TITLE = 'ACOEM Practice Guidelines';
const MTUS_FALLBACK_TITLE = 'MTUS';

// All patterns are compiled once and every unbounded repetition is either anchored or
// delimited by characters it cannot consume, so that no input can make them backtrack
// quadratically (the parser runs several times per letter, on text we do not control).

const GUIDELINE_LABEL_RE = /^(?:Claims Administrator|MAXIMUS) guideline:\s*/i;

// Sentences that say which kind of evidence was used but cite nothing themselves.
const BOILERPLATE_BODY =
  "The [A-Za-z' ]{1,40}? (?:did not cite any (?:medical )?evidence for (?:its|their|his|her) decision" +
  '|based (?:its|their|his|her) decision on recommendations?(?:\\(s\\))? outside (?:of )?the MTUS(?: Guidelines)?' +
  '|did not base (?:its|their|his|her) decision on the MTUS(?: Guidelines)?)';
const BOILERPLATE_PREFIX_RE = new RegExp(`^${BOILERPLATE_BODY}(?:\\.\\s*|$)`, 'i');
const BOILERPLATE_WHOLE_RE = new RegExp(`^${BOILERPLATE_BODY}$`, 'i');

// Sentences are split only before "Decision based on", so periods inside a citation
// ("www.mdguidelines.com", "6th ed", "2007 Jan. 10") never split it.
// The end of a web address followed by another reference: ", http..." or "...html Benditt D".
const URL_END_RE = /,\s+(?=https?:\/\/)|(?<=https?:\/\/\S+)\s+(?=[A-Z])/;
// "Low Back Chapter - MRIs", "Neck and Upper Back Chapter/ CT", "Hand Chapter Electrodiagnostic
// studies": an ODG chapter and its topic written without a comma.
const CHAPTER_TOPIC_RE = /^(.*?\b(?:chapter|section))\s*(?:\/|-|\s)\s*([A-Z].*)$/i;
const SEGMENT_SPLIT_RE = /\.?\s*(?=Decision based on\b)/i;
const DECISION_RE = /^Decision based on\b[\s:]*/i;
const NON_MTUS_RE = /^Non\s*-?\s*MTUS\b(?:\s+Citations?\b)?[\s:,]*/i;
const MTUS_RE = /^(?:the\s+)?MTUS\b[\s:,]*/i;

// New-style MTUS part head: "<Title> <Year>[ Guidelines]". A title may itself contain commas
// ("Forearm, Wrist, and Hand Complaints 2004"), hence the bounded repetition.
const MTUS_HEAD_RE =
  /(?<title>[A-Z][A-Za-z&/'\- ]{0,80}(?:, (?:and |& )?[A-Z][A-Za-z&/'\- ]{0,80}){0,4}) (?<year>(?:19|20)\d\d)(?: Guidelines)?(?=$|[\s,.;:])/y;
const MTUS_PART_SEPARATOR = ', and ';
const TRAILING_GUIDELINES_RE = /\s+Guidelines$/i;
const GUIDELINES_WORD_RE = /\bGuidelines\b/i;
const ACOEM_CHAPTER_RE = /^ACOEM\b/i;

const PAGES_LABEL_RE = /\bPage\s*\(s\)\s*:/i;
const SECTIONS_LABEL_RE = /^Sections?\s*(?:\(s\))?\s*:\s*/i;
const PAGE_FRAGMENT_RE = /^(?:pages?|pp?\.)\s*(\d[\d\s,\-–]{0,40})$/i;
const PAGE_LIKE_RE = /^[\dA-Za-z][\dA-Za-z\-–]{0,20}$/;

// Names that start a non-MTUS citation. "and Other Medical Treatment Guidelines" is how letters
// append a further, unnamed guideline ("... and Other Medical Treatment Guidelines
// www.mdguidelines.com").
const GUIDELINE_NAME_RE = new RegExp(
  [
    '(?<other>\\b(?:and\\s+)?Other Medical Treatment Guidelines\\b)',
    '(?<odg>\\b(?:the\\s+)?(?:Official Disability Guidelines(?:\\s*\\(ODG\\))?|ODG\\b)(?:\\s+Guidelines\\b)?)',
    '(?<acoem>\\b(?:the\\s+)?(?:American College of Occupational and Environmental Medicine(?:\\s*\\(ACOEM\\))?|ACOEM\\b)(?:\\s+(?:Practice\\s+)?Guidelines\\b)?)',
  ].join('|'),
  'gi',
);
const UPDATED_NOTE_RE = /\(\s*updated\b[^()]{0,40}\)/gi;
const VERSION_NOTE_RE = /\(\s*(?:Online|Web) Version\s*\)|\b(?:Online|Web) Version\b/gi;
// "14th Edition", "2nd Edition (2004)": the edition number is noise, its year is kept.
const EDITION_RE = /^\d{1,3}(?:st|nd|rd|th)\s+Ed(?:ition|\.)?(?:\s*\(((?:19|20)\d\d)\))?$/i;
const YEAR_ONLY_RE = /^\(?(?:[A-Z][a-z]{2,8}\.?\s+)?((?:19|20)\d\d)\)?$/;
const LEADING_YEAR_RE = /^((?:19|20)\d\d)\s+(\S.*)$/;

// Section list heuristics (see mergeFragments).
const NUMBERED_SECTION_RE = /^\d+(?:\.\d+)*\.?\s+[A-Za-z]/;
const LOWERCASE_START_RE = /^[a-z&]/;
const SERIAL_AND_RE = /^(?:and|&)\s/;
const ACRONYM_FAMILY_RE = /^[A-Z]{2,}s$/;
const SINGLE_WORD_RE = /^[A-Za-z'-]+$/;
// "Forearm" never ends a name in MTUS or ODG: it always opens "Forearm, Wrist(,) and Hand".
const JOINS_NEXT_RE = /(?:^|\s)Forearm$/i;

const WHITESPACE_RUN_RE = /\s+/g;
const PAGE_DASH_RE = /\s*[–—]\s*|\s+-\s+/g;

const SEPARATOR_CHARS = new Set([' ', ',', ';', ':', '.', '-', '–', '—']);

/** Parses one guideline paragraph (the text after "Claims Administrator guideline:" or "MAXIMUS guideline:", already joined onto one line with single spaces) into its citations. */
export function parseCitations(text: string): Citation[] {
  let parsed: ParsedCitation[];
  try {
    parsed = parseParagraph(text);
  } catch {
    // The patterns above should never throw, but a parser bug must not lose the whole letter:
    // keep the paragraph as one unclassified citation instead.
    const collapsed = typeof text === 'string' ? collapseSpaces(text) : '';
    parsed = collapsed === '' ? [] : [otherCitation(collapsed)];
  }
  return parsed.map(withGuideline);
}

/** A parsed citation with the id of the guideline it names. */
export function withGuideline(c: ParsedCitation): Citation {
  return { ...c, guideline: guidelineOf(c) };
}

function parseParagraph(text: string): ParsedCitation[] {
  let rest = collapseSpaces(text).replace(GUIDELINE_LABEL_RE, '');
  for (let guard = 0; guard < 5; guard++) {
    const m = BOILERPLATE_PREFIX_RE.exec(rest);
    if (m === null) break;
    rest = rest.slice(m[0].length);
  }
  const citations: ParsedCitation[] = [];
  for (const raw of rest.split(SEGMENT_SPLIT_RE)) {
    const segment = stripFinalPeriod(raw.trim());
    if (segment !== '') citations.push(...parseSegment(segment));
  }
  return citations;
}

function parseSegment(segment: string): ParsedCitation[] {
  const decision = DECISION_RE.exec(segment);
  if (decision === null) {
    return BOILERPLATE_WHOLE_RE.test(segment) ? [] : [otherCitation(segment)];
  }
  const body = segment.slice(decision[0].length);
  const nonMtus = NON_MTUS_RE.exec(body);
  if (nonMtus !== null) return parseNonMtus(body.slice(nonMtus[0].length));
  const mtus = MTUS_RE.exec(body);
  if (mtus !== null) return parseMtus(body.slice(mtus[0].length));
  return parseNonMtus(body);
}

interface MtusHead {
  title: string;
  year: number;
  end: number;
}

function matchMtusHead(text: string, at: number): MtusHead | null {
  MTUS_HEAD_RE.lastIndex = at;
  const m = MTUS_HEAD_RE.exec(text);
  const title = m?.groups?.['title'];
  const year = m?.groups?.['year'];
  if (m === null || title === undefined || year === undefined) return null;
  return {
    title: title.replace(TRAILING_GUIDELINES_RE, ''),
    year: Number(year),
    end: at + m[0].length,
  };
}

/** MTUS text after the word "MTUS": one or more parts joined by ", and ". */
function parseMtus(text: string): ParsedCitation[] {
  let head = matchMtusHead(text, 0);
  if (head === null) return [parseOldStyleMtus(text)];
  const citations: ParsedCitation[] = [];
  while (head !== null) {
    // A part ends at the first ", and " that is followed by another "<Title> <Year>" head;
    // other ", and " (inside a title or a section name) stay where they are.
    let next: MtusHead | null = null;
    let end = text.length;
    let search = head.end;
    for (;;) {
      const idx = text.indexOf(MTUS_PART_SEPARATOR, search);
      if (idx < 0) break;
      next = matchMtusHead(text, idx + MTUS_PART_SEPARATOR.length);
      if (next !== null) {
        end = idx;
        break;
      }
      search = idx + 1;
    }
    const detail = parseDetail(text.slice(head.end, end), false);
    citations.push({
      source: 'MTUS',
      title: trimSeparators(head.title) || MTUS_FALLBACK_TITLE,
      year: head.year,
      sections: detail.sections,
      pages: detail.pages,
    });
    head = next;
  }
  return citations;
}

/**
 * 2013-2015 MTUS style, no edition year: "Chronic Pain Treatment Guidelines 9792.24.2, Physical
 * Medicine Page(s): 60, 98-99" or "ACOEM Chapter 12 Low Back Complaints Page(s): 303-305".
 */
function parseOldStyleMtus(text: string): ParsedCitation {
  const { body, pages } = splitPages(text);
  let title = body;
  let rest = '';
  if (ACOEM_CHAPTER_RE.test(body)) {
    // "ACOEM Chapter 12 Low Back Complaints" is the title; anything after a comma is a section.
    const comma = body.indexOf(',');
    if (comma >= 0) {
      title = body.slice(0, comma);
      rest = body.slice(comma + 1);
    }
  } else {
    const g = GUIDELINES_WORD_RE.exec(body);
    if (g !== null) {
      title = body.slice(0, g.index + g[0].length);
      rest = body.slice(g.index + g[0].length);
    }
  }
  const detail = parseDetail(rest, false);
  return {
    source: 'MTUS',
    title: trimSeparators(title) || MTUS_FALLBACK_TITLE,
    year: detail.year,
    sections: detail.sections,
    pages: mergePages(pages, detail.pages),
  };
}

interface Chunk {
  source: CitationSource;
  text: string;
}

/** Literature and web references; several can share one run, and a web address ends one. */
function otherCitations(text: string): ParsedCitation[] {
  return text
    .split(URL_END_RE)
    .map(trimSeparators)
    .filter((title) => title !== '')
    .map(otherCitation);
}

/** Text after "Non-MTUS Citation": one or more guidelines or references. */
function parseNonMtus(text: string): ParsedCitation[] {
  const chunks: Chunk[] = [];
  let leading = '';
  let last = 0;
  for (const m of text.matchAll(GUIDELINE_NAME_RE)) {
    const between = text.slice(last, m.index);
    const current = chunks[chunks.length - 1];
    if (current === undefined) leading = between;
    else current.text += between;
    const source: CitationSource =
      m.groups?.['odg'] !== undefined
        ? 'ODG'
        : m.groups?.['acoem'] !== undefined
          ? 'ACOEM'
          : 'Other';
    chunks.push({ source, text: '' });
    last = m.index + m[0].length;
  }
  const tail = text.slice(last);
  const lastChunk = chunks[chunks.length - 1];
  if (lastChunk === undefined) return otherCitations(text);
  lastChunk.text += tail;

  const citations: ParsedCitation[] = [];
  const first = chunks[0];
  const leadingText = trimSeparators(leading);
  if (leadingText !== '') {
    // Text before the first guideline name ("Shoulder (Acute & Chronic), Physical Therapy, ODG
    // Preface") describes that guideline; before an "Other Medical Treatment Guidelines" it is a
    // reference of its own.
    if (first !== undefined && first.source !== 'Other')
      first.text = `${leadingText}, ${first.text}`;
    else citations.push(otherCitation(leadingText));
  }

  const bySource = new Map<CitationSource, ParsedCitation>();
  for (const chunk of chunks) {
    if (chunk.source === 'Other') {
      citations.push(...otherCitations(chunk.text));
      continue;
    }
    const detail = parseDetail(chunk.text, true);
    const existing = bySource.get(chunk.source);
    if (existing === undefined) {
      const citation: ParsedCitation = {
        source: chunk.source,
        title: chunk.source === 'ODG' ? ODG_TITLE : ACOEM_TITLE,
        year: detail.year,
        sections: detail.sections,
        pages: detail.pages,
      };
      bySource.set(chunk.source, citation);
      citations.push(citation);
    } else {
      existing.year ??= detail.year;
      existing.sections = dedupe([...existing.sections, ...detail.sections]);
      existing.pages = mergePages(existing.pages, detail.pages);
    }
  }
  return citations;
}

interface Detail {
  year: number | null;
  sections: string[];
  pages: string[];
}

/**
 * Sections, pages and a stray year from the text after a guideline title. `guideline` selects
 * the looser ODG/ACOEM grammar, where ";", ": " and ". " also separate topics and edition noise
 * is dropped; MTUS section names contain colons, so there only commas separate.
 */
function parseDetail(text: string, guideline: boolean): Detail {
  const split = splitPages(text);
  let body = trimSeparators(split.body);
  const pages = [...split.pages];
  let year: number | null = null;
  if (guideline) {
    body = collapseSpaces(body.replace(UPDATED_NOTE_RE, ' ').replace(VERSION_NOTE_RE, ' '));
  }
  body = body.replace(SECTIONS_LABEL_RE, '');

  const fragments: string[] = [];
  for (const raw of splitTopLevel(body, guideline)) {
    let fragment = trimSeparators(raw);
    if (fragment === '') continue;
    const page = PAGE_FRAGMENT_RE.exec(fragment);
    if (page?.[1] !== undefined) {
      pages.push(...splitPageList(page[1]));
      continue;
    }
    const yearOnly = YEAR_ONLY_RE.exec(fragment) ?? EDITION_RE.exec(fragment);
    if (yearOnly !== null) {
      if (yearOnly[1] !== undefined) year ??= Number(yearOnly[1]);
      continue;
    }
    if (guideline) {
      const leadingYear = LEADING_YEAR_RE.exec(fragment);
      if (leadingYear?.[1] !== undefined && leadingYear[2] !== undefined) {
        year ??= Number(leadingYear[1]);
        fragment = leadingYear[2];
      }
      const chapter = CHAPTER_TOPIC_RE.exec(fragment);
      if (chapter?.[1] !== undefined && chapter[2] !== undefined) {
        fragments.push(chapter[1], chapter[2]);
        continue;
      }
    }
    fragments.push(fragment);
  }
  return { year, sections: dedupe(mergeFragments(fragments)), pages: mergePages([], pages) };
}

/**
 * Splits at commas (and, for ODG/ACOEM, at ";", ": " and ". ") that are not inside parentheses
 * or brackets, so "Naproxen (Naprosyn, EC-Naprosyn)" stays whole. Linear in the input.
 */
function splitTopLevel(text: string, guideline: boolean): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '(' || ch === '[') depth++;
    else if ((ch === ')' || ch === ']') && depth > 0) depth--;
    else if (depth === 0) {
      const isSeparator =
        ch === ',' ||
        (guideline && (ch === ';' || ((ch === ':' || ch === '.') && text[i + 1] === ' ')));
      if (isSeparator) {
        out.push(text.slice(start, i));
        start = i + 1;
      }
    }
  }
  out.push(text.slice(start));
  return out;
}

/**
 * Section names contain commas themselves, so comma-split fragments are glued back together:
 * - numbered lists (MTUS Opioid Treatment, "3.3.6 Opioids for ...: Use of Urine Drug Testing
 *   (UDT)"): a new section starts only at a section number; everything else continues it;
 * - a fragment starting lowercase or with "&" continues the previous one ("Capsaicin, topical",
 *   "NSAIDs, specific drug list & adverse effects", "Work conditioning, work hardening");
 * - "X, Y, and Z" with a one-word Y is one name ("Pain, Suffering, and the Restoration of
 *   Function");
 * - a plural acronym heads a family of sections ("NSAIDs, GI symptoms & cardiovascular risk");
 * - "Forearm" always continues into "Wrist ... Hand".
 * Capitalised fragments otherwise start a new section, so "Antidepressants for chronic pain,
 * Tricyclics" is two sections.
 */
function mergeFragments(fragments: string[]): string[] {
  const first = fragments[0];
  if (first !== undefined && NUMBERED_SECTION_RE.test(first)) {
    const out: string[] = [];
    for (const fragment of fragments) {
      const prev = out[out.length - 1];
      if (prev !== undefined && !NUMBERED_SECTION_RE.test(fragment)) {
        out[out.length - 1] = `${prev}, ${fragment}`;
      } else out.push(fragment);
    }
    return out;
  }
  const out: string[] = [];
  for (const fragment of fragments) {
    const prev = out[out.length - 1];
    const beforePrev = out[out.length - 2];
    if (prev === undefined) {
      out.push(fragment);
    } else if (
      SERIAL_AND_RE.test(fragment) &&
      beforePrev !== undefined &&
      SINGLE_WORD_RE.test(prev) &&
      SINGLE_WORD_RE.test(beforePrev)
    ) {
      out.splice(out.length - 2, 2, `${beforePrev}, ${prev}, ${fragment}`);
    } else if (
      LOWERCASE_START_RE.test(fragment) ||
      ACRONYM_FAMILY_RE.test(prev) ||
      JOINS_NEXT_RE.test(prev)
    ) {
      out[out.length - 1] = `${prev}, ${fragment}`;
    } else {
      out.push(fragment);
    }
  }
  return out;
}

/** Splits off a trailing "Page(s): 60, 98-99". */
function splitPages(text: string): { body: string; pages: string[] } {
  const m = PAGES_LABEL_RE.exec(text);
  if (m === null) return { body: text, pages: [] };
  return {
    body: text.slice(0, m.index),
    pages: splitPageList(text.slice(m.index + m[0].length)),
  };
}

function splitPageList(text: string): string[] {
  const pages: string[] = [];
  for (const raw of text.split(',')) {
    const page = trimSeparators(raw).replace(PAGE_DASH_RE, '-');
    if (PAGE_LIKE_RE.test(page)) pages.push(page);
  }
  return pages;
}

function mergePages(a: string[], b: string[]): string[] {
  return dedupe([...a, ...b]);
}

/** Removes duplicates, case-insensitively, keeping the first spelling. */
function dedupe(items: string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const item of items) {
    const key = item.toLowerCase();
    if (!seen.has(key)) {
      seen.add(key);
      out.push(item);
    }
  }
  return out;
}

function otherCitation(title: string): ParsedCitation {
  return { source: 'Other', title, year: null, sections: [], pages: [] };
}

function collapseSpaces(text: string): string {
  return text.replace(WHITESPACE_RUN_RE, ' ').trim();
}

function stripFinalPeriod(text: string): string {
  return text.endsWith('.') ? text.slice(0, -1).trimEnd() : text;
}

/**
 * Trims separator punctuation from both ends and a dangling "and"/"&" from the end. Written as a
 * loop rather than /[...]+$/ because an end-anchored character-class run backtracks
 * quadratically on long runs of separators.
 */
function trimSeparators(text: string): string {
  let start = 0;
  let end = text.length;
  for (let guard = 0; guard < 4; guard++) {
    while (start < end && SEPARATOR_CHARS.has(text.charAt(start))) start++;
    while (end > start && SEPARATOR_CHARS.has(text.charAt(end - 1))) end--;
    const lower = text.slice(start, end).toLowerCase();
    if (lower === 'and' || lower === '&') return '';
    if (lower.endsWith(' and')) end -= 4;
    else if (lower.endsWith(' &')) end -= 2;
    else break;
  }
  return text.slice(start, end);
}
