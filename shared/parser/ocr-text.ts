// OCR misreads a letter's fixed wording in a few recurring ways ("Overtumed" for Overturned, a
// semicolon for a colon, "iterms" for items). The parser keys on that wording, so OCR'd text has
// it restored before parsing: only the letters' own labels, headings and decision words, each
// within a small edit distance of the real one, never the letter's content.

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

function repairLine(line: string): string {
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

/** OCR'd text with the letters' fixed wording restored where OCR misread it slightly. */
export function repairOcrText(text: string): string {
  return text.split('\n').map(repairLine).join('\n');
}
