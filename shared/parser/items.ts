import { joinLines } from './normalize.ts';

/** One disputed item as laid out in the letter, before classification. */
export interface RawItem {
  request: string;
  originalRequest: string | null;
  authorizedPortion: string | null;
  decision: 'upheld' | 'overturned' | null;
  claimsAdministratorGuideline: string | null;
  reviewerGuideline: string | null;
  rationale: string;
  flags: string[];
}

type Label = 'ca' | 'mx' | 'rat';
const ORDER: Record<Label, number> = { ca: 0, mx: 1, rat: 2 };

const labelRe =
  /^(?:(Claims\s+Administrator\s+guideline)|(MAXIMUS\s+guideline)|(Decision\s+rationale))\s*:\s*(.*)$/i;
const introRe = /^The Final Determination was based on decisions for the disputed items\/services/i;
// The decision ends the request line ("...: Upheld") or sits alone on the next line.
const decisionAtEndRe = /^(.*?)[\s:]*\b(Upheld|Overturned)\s*\.?$/;
const bareDecisionRe = /^(?:Upheld|Overturned)\.?$/i;
// A line ending a sentence (not a colon: requests wrap after "DOS:") normally ends the previous rationale, except the sentences that make
// up a modified request ("X was the original request. Y was authorized by the Claims Administrator.").
const sentenceEndRe = /[.!?]["')\]]*$/;
const modifiedSentenceEndRe =
  /(?:was the original request|by the Claims Administrator|leaving the original request IMR eligible|original request IMR eligible)\.$/i;

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
  while (start > 0) {
    const prev = lines[start - 1]!;
    if (sentenceEndRe.test(prev) && !modifiedSentenceEndRe.test(prev)) break;
    start--;
  }
  return { tail: lines.slice(0, start), block: lines.slice(start, end + 1) };
}

function readRequest(
  block: readonly string[],
  flags: string[],
): Omit<RawItem, 'claimsAdministratorGuideline' | 'reviewerGuideline' | 'rationale' | 'flags'> {
  const text = joinLines(block);
  const m = decisionAtEndRe.exec(text);
  let request = text;
  let decision: RawItem['decision'] = null;
  if (m) {
    request = m[1]!;
    decision = m[2]!.toLowerCase() === 'upheld' ? 'upheld' : 'overturned';
  } else {
    flags.push('decision-missing');
  }
  request = request.replace(/[\s:]+$/, '').replace(/\s+(?:is|are)$/i, '');
  for (const { re } of modifiedRes) {
    const mm = re.exec(request);
    if (mm?.groups) {
      return {
        request: clean(mm.groups.request!),
        originalRequest: clean(mm.groups.original!),
        authorizedPortion: clean(mm.groups.authorized!),
        decision,
      };
    }
  }
  if (/was the original request/i.test(request)) flags.push('modified-request-unparsed');
  return { request: clean(request), originalRequest: null, authorizedPortion: null, decision };
}

function clean(s: string): string {
  return s.replace(/\s+/g, ' ').replace(/^[\s,;:-]+|[\s,;:]+$/g, '');
}

/**
 * Reads the "IMR ISSUES, DECISIONS AND RATIONALES" section into items: each is a request line
 * (ending in its decision), a Claims Administrator guideline, a MAXIMUS guideline and a rationale.
 * Items are anchored on the labels, which extraction never splits, rather than on request lines.
 */
export function readItems(sectionLines: readonly string[]): RawItem[] {
  let lines = [...sectionLines];
  const intro = lines.findIndex((l) => introRe.test(l));
  if (intro >= 0 && intro < 3) {
    // The intro sentence may wrap; it ends at "below:".
    let end = intro;
    while (end < lines.length - 1 && end < intro + 2 && !/below:?$/i.test(lines[end]!)) end++;
    lines = lines.slice(end + 1);
  }

  interface Draft {
    block: string[];
    parts: Partial<Record<Label, string[]>>;
    flags: string[];
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
    if (item.parts[label]) item.flags.push(`duplicate-${label}`);
    item.parts[label] = m[4] ? [m[4]] : [];
    currentLabel = label;
  }

  return items.map(({ block, parts, flags }) => {
    const req = readRequest(block, flags);
    if (!parts.ca) flags.push('missing-claims-administrator-guideline');
    if (!parts.mx) flags.push('missing-reviewer-guideline');
    if (!parts.rat) flags.push('missing-rationale');
    return {
      ...req,
      claimsAdministratorGuideline: parts.ca ? joinLines(parts.ca) : null,
      reviewerGuideline: parts.mx ? joinLines(parts.mx) : null,
      rationale: parts.rat ? joinLines(parts.rat) : '',
      flags,
    };
  });
}
