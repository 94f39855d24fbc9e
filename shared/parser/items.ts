import { joinLines } from './normalize.ts';
import type { ItemFlag } from '../record/index.ts';

/** One disputed item as laid out in the letter, before classification. */
export interface RawItem {
  request: string;
  originalRequest: string | null;
  authorizedPortion: string | null;
  decision: 'upheld' | 'overturned' | null;
  claimsAdministratorGuideline: string | null;
  reviewerGuideline: string | null;
  rationale: string;
  flags: ItemFlag[];
}

type Label = 'ca' | 'mx' | 'rat';
const ORDER: Record<Label, number> = { ca: 0, mx: 1, rat: 2 };
const LABEL_NAME = {
  ca: 'claims-administrator-guideline',
  mx: 'reviewer-guideline',
  rat: 'rationale',
} as const satisfies Record<Label, string>;

// Label wordings vary a little across years and extractors (case, plural, a possessive, and
// "Expert Reviewer" in place of "MAXIMUS").
const labelRe =
  /^(?:(Claims\s+Administrator(?:'s)?\s+guidelines?)|((?:MAXIMUS|Expert\s+Reviewer|IMR\s+Reviewer)(?:'s)?\s+guidelines?)|(Decision\s+rationale))\s*:\s*(.*)$/i;
const introRe =
  /^The Final Determination was based on decisions for the disputed items\/services set forth below:?$/i;
const INTRO_MAX_LINES = 12;
// The decision ends the request line ("...: Upheld") or sits alone on the next line.
const decisionAtEndRe = /^(.*?)[\s:]*\b(Upheld|Overturned)\s*\.?$/i;
const bareDecisionRe = /^(?:Upheld|Overturned)\.?$/i;
// A line ending a sentence (not a colon: requests wrap after "DOS:") ends the previous rationale.
const sentenceEndRe = /[.!?]["')\]]*$/;
const conclusionWordsRe = /medically\s+necessary|medical\s+necessity/i;
// How far back a modified request's first sentence may start, in characters (not lines: how
// many lines it takes depends on the page width and the extractor).
const MODIFIED_LOOKBACK_CHARS = 1500;
// A sentence boundary inside a captured part means the match ran into rationale prose.
const sentenceBoundaryRe = /[.!?]["')\]]?\s+["'(]?[A-Z]/;

const modifiedRes = [
  // "A was the original request. B was authorized by the Claims Administrator. The remaining IMR
  // eligible portion of the original request, C is"
  {
    re: /^(?<original>.+?) was the original request\.\s*(?<authorized>.+?) (?:was|were) authorized by the Claims Administrator\.\s*The remaining IMR eligible portion of the original request,?\s*(?<request>.+?)(?:\s+(?:is|are))?$/i,
  },
  // "A was the original request. The Claims Administrator authorized B, leaving the original
  // request IMR eligible. The original request, A is"
  {
    re: /^(?<original>.+?) was the original request\.\s*The Claims Administrator authorized (?<authorized>.+?),?\s*leaving the original request IMR eligible\.\s*The original request,?\s*(?<request>.+?)(?:\s+(?:is|are))?$/i,
  },
];

interface Modified {
  request: string;
  originalRequest: string;
  authorizedPortion: string;
}

/** Reads the modified-request wording, or null when the text is not (only) that wording. */
function matchModified(request: string): Modified | null {
  for (const { re } of modifiedRes) {
    const g = re.exec(request)?.groups;
    if (!g) continue;
    const parts = [g.original!, g.authorized!, g.request!];
    // Rationales sometimes quote a whole modified request; the real one is a block of its own.
    if (parts.some((p) => sentenceBoundaryRe.test(p))) continue;
    return {
      request: clean(g.request!),
      originalRequest: clean(g.original!),
      authorizedPortion: clean(g.authorized!),
    };
  }
  return null;
}

/** A request line split into the request and its trailing decision (null when absent). */
export function splitDecision(text: string): {
  request: string;
  decision: RawItem['decision'];
} {
  const m = decisionAtEndRe.exec(text);
  const request = (m ? m[1]! : text).replace(/[\s:]+$/, '').replace(/\s+(?:is|are)$/i, '');
  if (!m) return { request, decision: null };
  return { request, decision: m[2]!.toLowerCase() === 'upheld' ? 'upheld' : 'overturned' };
}

function labelOf(m: RegExpExecArray): Label {
  if (m[1] !== undefined) return 'ca';
  if (m[2] !== undefined) return 'mx';
  return 'rat';
}

/** Splits the lines before an item's first label into the previous rationale's tail and the request block. */
function splitRequestBlock(lines: readonly string[]): { tail: string[]; block: string[] } {
  let end = lines.length - 1;
  while (end >= 0 && !decisionAtEndRe.test(lines[end]!)) end--;
  if (end < 0) return { tail: [], block: [...lines] };
  let start = end;
  // A bare "Upheld" line belongs to the request above it, even when that line ends in a colon.
  if (bareDecisionRe.test(lines[end]!) && start > 0) start--;
  const previousSentenceStart = (from: number): number => {
    let i = from;
    while (i > 0 && !sentenceEndRe.test(lines[i - 1]!)) i--;
    return i;
  };
  start = previousSentenceStart(start);
  // A rationale whose last sentence lost its full stop would run into the request; no request
  // speaks of medical necessity, so the request starts after the last line that does.
  const concludes = (i: number): boolean =>
    conclusionWordsRe.test(lines[i]!) ||
    (i > 0 &&
      !conclusionWordsRe.test(lines[i - 1]!) &&
      conclusionWordsRe.test(`${lines[i - 1]!} ${lines[i]!}`));
  for (let i = end - 1; i >= start; i--) {
    if (concludes(i)) {
      start = i + 1;
      break;
    }
  }
  // A modified request spans sentences; try earlier sentence starts while they read as one.
  let chars = 0;
  for (let s = start; s > 0 && chars < MODIFIED_LOOKBACK_CHARS;) {
    const from = previousSentenceStart(s - 1);
    // Nor does it reach back past the previous rationale's conclusion ("... 12 sessions was the
    // original request" after a line "The request is not medically necessary." would otherwise
    // read as one sentence, the digit hiding the sentence boundary).
    let crossesConclusion = false;
    for (let i = from; i < s; i++) crossesConclusion ||= concludes(i);
    if (crossesConclusion) break;
    for (let i = from; i < s; i++) chars += lines[i]!.length + 1;
    s = from;
    if (matchModified(splitDecision(joinLines(lines.slice(s, end + 1))).request)) {
      start = s;
      break;
    }
  }
  return { tail: lines.slice(0, start), block: lines.slice(start, end + 1) };
}

function readRequest(
  block: readonly string[],
  flags: ItemFlag[],
): Omit<RawItem, 'claimsAdministratorGuideline' | 'reviewerGuideline' | 'rationale' | 'flags'> {
  const { request, decision } = splitDecision(joinLines(block));
  if (decision === null) flags.push('decision-missing');
  const modified = matchModified(request);
  if (modified) return { ...modified, decision };
  if (/was the original request/i.test(request)) flags.push('modified-request-unparsed');
  return { request: clean(request), originalRequest: null, authorizedPortion: null, decision };
}

function clean(s: string): string {
  return s.replace(/\s+/g, ' ').replace(/^[\s,;:-]+|[\s,;:]+$/g, '');
}

/** How many lines the section's intro sentence takes (0 when absent); it wraps at any width. */
function introLength(lines: readonly string[]): number {
  if (!/^The\b/i.test(lines[0] ?? '')) return 0;
  let text = '';
  for (let k = 0; k < Math.min(lines.length, INTRO_MAX_LINES); k++) {
    text = text === '' ? lines[k]! : `${text} ${lines[k]!}`;
    if (introRe.test(text)) return k + 1;
  }
  return 0;
}

/**
 * Reads the "IMR ISSUES, DECISIONS AND RATIONALES" section into items: each is a request line
 * (ending in its decision), a Claims Administrator guideline, a MAXIMUS guideline and a rationale.
 * Items are anchored on the labels, which extraction never splits, rather than on request lines.
 */
export function readItems(sectionLines: readonly string[]): RawItem[] {
  const lines = sectionLines.slice(introLength(sectionLines));
  interface Draft {
    block: string[];
    parts: Partial<Record<Label, string[]>>;
    flags: ItemFlag[];
  }
  const items: Draft[] = [];
  let free: string[] = [];
  let current: Draft | null = null;
  let currentLabel: Label | null = null;

  const startItem = (): Draft => {
    const pending = current && currentLabel ? current.parts[currentLabel]! : free;
    const { tail, block } = splitRequestBlock(pending);
    if (current && currentLabel) current.parts[currentLabel] = tail;
    else free = tail;
    const item: Draft = { block, parts: {}, flags: [] };
    items.push(item);
    return item;
  };

  for (const line of lines) {
    const m = labelRe.exec(line);
    if (!m) {
      if (current && currentLabel) current.parts[currentLabel]!.push(line);
      else free.push(line);
      continue;
    }
    const label = labelOf(m);
    const item: Draft =
      current === null || currentLabel === null || ORDER[label] <= ORDER[currentLabel]
        ? startItem()
        : current;
    current = item;
    if (item.parts[label]) item.flags.push(`duplicate-${LABEL_NAME[label]}`);
    item.parts[label] = m[4] ? [m[4]] : [];
    currentLabel = label;
  }

  return items.map(({ block, parts, flags }) => {
    const req = readRequest(block, flags);
    for (const label of ['ca', 'mx', 'rat'] as const) {
      if (!parts[label]) flags.push(`missing-${LABEL_NAME[label]}`);
    }
    return {
      ...req,
      claimsAdministratorGuideline: parts.ca ? joinLines(parts.ca) : null,
      reviewerGuideline: parts.mx ? joinLines(parts.mx) : null,
      rationale: parts.rat ? joinLines(parts.rat) : '',
      flags,
    };
  });
}
