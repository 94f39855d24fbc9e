/**
 * Identifiers that must not reach the public record (DOMAIN.md, Privacy). The DWC publishes
 * redacted letters, but an organisation may upload an original: names after a title, claim and
 * social security numbers, dates of birth, phone numbers, e-mail and street addresses are
 * replaced with a bracketed label. Deliberately narrow: medical prose must survive intact.
 */
const RULES: readonly { label: string; re: RegExp }[] = [
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
  {
    label: '$1 [dob]',
    re: /\b(DOB|D\.O\.B\.|Date\s+of\s+Birth)\s*:?\s*\d{1,2}[/-]\d{1,2}[/-]\d{2,4}/gi,
  },
  {
    label: '[address]',
    re: /\b\d{2,6}\s+(?:[NSEW]\.?\s+)?(?:[A-Z][a-z]+\s+){1,3}(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Drive|Lane|Ln|Way|Court|Ct|Place|Pl|Parkway|Pkwy)\b\.?(?:,?\s+(?:Suite|Ste\.?|Apt\.?|Unit)\s*#?\s*\w+)?/g,
  },
  // A title followed by a capitalised name: "Mr. Smith", "Ms. Jane Doe", "Dr. Lee".
  {
    label: '$1 [name]',
    re: /\b(Mr|Mrs|Ms|Miss|Dr)\.?\s+(?!(?:and|or|the|of|to|in)\b)[A-Z][a-zA-Z'’-]+(?:\s+[A-Z][a-zA-Z'’-]+)?/g,
  },
];

/** Replaces personal identifiers in free text; returns the text and how many were replaced. */
export function redact(text: string): { text: string; replaced: number } {
  let replaced = 0;
  let out = text;
  for (const { label, re } of RULES) {
    out = out.replace(re, (...args: unknown[]) => {
      replaced++;
      const group = typeof args[1] === 'string' ? args[1] : '';
      return label.replace('$1', group);
    });
  }
  return { text: out, replaced };
}
