/**
 * Identifiers that must not reach the public record (docs/DOMAIN.md, Privacy). The DWC publishes
 * redacted letters, but an organisation may upload an original: names after a title, claim and
 * social security numbers, dates of birth, phone numbers, e-mail and street addresses are
 * replaced with a bracketed label. Deliberately narrow: medical prose must survive intact.
 */
import type { Identifier, IdentifierKind } from './cover.ts';

interface Rule {
  /** The replacement; "$1" stands for the first group (a label kept before the value). */
  label: string;
  re: RegExp;
  /** For a combined rule: the replacement, from which identifier's group matched. */
  labelOf?: (groups: Record<string, string | undefined>) => string;
}

const RULES: readonly Rule[] = [
  { label: '[email]', re: /\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b/g },
  { label: '[ssn]', re: /\b\d{3}-\d{2}-\d{4}\b/g },
  {
    label: '[phone]',
    re: /(?<![\w/-])(?:\+?1[-.\s]?)?(?:\(\d{3}\)\s?|\d{3}[-.\s])\d{3}[-.\s]\d{4}(?![\w/-])/g,
  },
  {
    label: '$1 [redacted]',
    re: /\b((?:Claim|Policy|Member|Employee|WCAB\s+Case|Social\s+Security)\s*(?:Number|No\.?|#|ID)\s*:?)\s*(?=[A-Z0-9-]*\d)[A-Z0-9][A-Z0-9-]{3,}\b/gi,
  },
  // WCAB case numbers (EAMS "ADJ" numbers) wherever they appear, labelled or not.
  { label: '[redacted]', re: /\bADJ\s?-?\d{6,9}\b/g },
  // A person or organisation after the label a mailed letter's cover gives it.
  {
    label: '$1: [redacted]',
    re: /\b(Employee|Employer|Applicant|Claimant|Injured\s+Worker|Requesting\s+(?:Physician|Provider)|Claims\s+Administrator|(?:Claims\s+)?Adjuster|Insurer|(?:Patient|Employee)\s+Name)\s*:\s*[A-Z][\w'’.&-]*(?:\s+(?:&\s+)?[A-Z][\w'’.&-]*){0,4}/g,
  },
  {
    label: '$1 [dob]',
    re: /\b(DOB|D\.O\.B\.|Date\s+of\s+Birth)\s*:?\s*\d{1,2}[/-]\d{1,2}[/-]\d{2,4}/gi,
  },
  {
    label: '[address]',
    re: /\b\d{2,6}\s+(?:[NSEW]\.?\s+)?(?:[A-Z][a-z]+\s+){1,3}(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Drive|Lane|Ln|Way|Court|Ct|Place|Pl|Parkway|Pkwy)\b\.?(?:,?\s+(?:Suite|Ste\.?|Apt\.?|Unit)\s*#?\s*\w+)?/g,
  },
  { label: '[address]', re: /\bP\.?\s?O\.?\s+Box\s+\d+\b/gi },
  // "Fresno, CA 93721": a city, the state and a ZIP code.
  {
    label: '[address]',
    re: /\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+){0,2},?\s+(?:CA|California)\s+\d{5}(?:-\d{4})?\b/g,
  },
  // A title followed by a capitalised name: "Mr. Smith", "Ms. Jane Doe", "Dr. Lee".
  {
    label: '$1 [name]',
    re: /\b(Mr|Mrs|Ms|Miss|Dr)\.?\s+(?!(?:and|or|the|of|to|in)\b)[A-Z][a-zA-Z'’-]+(?:\s+[A-Z][a-zA-Z'’-]+)?/g,
  },
];

/** Every label the scrubber leaves in place of an identifier. */
export const SCRUBBED_RE = /\[(?:name|organisation|address|redacted|phone|email|ssn|dob)\]/g;

export interface Redacted {
  text: string;
  replaced: number;
}

/** Replaces personal identifiers in free text; returns the text and how many were replaced. */
export function redact(text: string): Redacted {
  return applyRules(RULES, text);
}

const LABEL_OF: Record<IdentifierKind, string> = {
  name: '[name]',
  organisation: '[organisation]',
  number: '[redacted]',
  address: '[address]',
};

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The pattern of an identifier as prose writes it again, and whether its case matters. */
function identifierSource(id: Identifier): { source: string; caseSensitive: boolean } {
  if (id.kind === 'number') {
    // "05A-1234567" also as "05A1234567" or "05A 1234567".
    const chars = Array.from(id.text.replace(/[^A-Za-z0-9]/g, '')).map(escape);
    return { source: chars.join('[-\\s./]?'), caseSensitive: false };
  }
  const words = id.text.split(/\s+/).map(escape).join('\\s+');
  // A single word of a name (or organisation) is matched as names are written (Hernandez,
  // HERNANDEZ), so that a surname that is also a word ("Rose") keeps the word in lower case.
  if (id.kind !== 'address' && !/\s/.test(id.text)) {
    return { source: `${words}|${escape(id.text.toUpperCase())}`, caseSensitive: true };
  }
  return { source: words, caseSensitive: false };
}

/**
 * One pattern for many identifiers (a pass over the text, not one per identifier), each an
 * alternative in its own group so the replacement knows its label. Alternatives are tried in
 * order, so longer identifiers listed first win over their parts.
 */
function combinedRule(ids: readonly Identifier[], flags: string): Rule | null {
  if (ids.length === 0) return null;
  const alternatives = ids.map((id, k) => `(?<i${k}>${identifierSource(id).source})`);
  const re = new RegExp(`(?<![A-Za-z0-9])(?:${alternatives.join('|')})(?![A-Za-z0-9])`, flags);
  const labelOf = (groups: Record<string, string | undefined>): string => {
    const k = ids.findIndex((_, i) => groups[`i${i}`] !== undefined);
    return LABEL_OF[ids[k]?.kind ?? 'name'];
  };
  return { label: '', re, labelOf };
}

/**
 * The one scrubber of a letter's free text: the identifiers its cover names (whole, then a
 * name's parts), then every general rule above. Without a cover it is `redact`.
 */
export function scrubberFor(identifiers: readonly Identifier[]): (text: string) => Redacted {
  // Longest first, so "Jose Hernandez" goes whole before "Jose" and "Hernandez" alone; phrases
  // (any case) before single words of names (as written).
  const sorted = [...identifiers].sort((a, b) => b.text.length - a.text.length);
  const own = [
    combinedRule(
      sorted.filter((id) => !identifierSource(id).caseSensitive),
      'gi',
    ),
    combinedRule(
      sorted.filter((id) => identifierSource(id).caseSensitive),
      'g',
    ),
  ].filter((r): r is Rule => r !== null);
  const rules = [...own, ...RULES];
  return (text) => applyRules(rules, text);
}

function applyRules(rules: readonly Rule[], text: string): Redacted {
  let replaced = 0;
  let out = text;
  for (const { label, re, labelOf } of rules) {
    out = out.replace(re, (...args: unknown[]) => {
      replaced++;
      const last = args.at(-1);
      if (labelOf !== undefined && typeof last === 'object' && last !== null) {
        return labelOf(last as Record<string, string | undefined>);
      }
      const group = typeof args[1] === 'string' ? args[1].trimEnd() : '';
      return label.replace('$1', group);
    });
  }
  return { text: out, replaced };
}
