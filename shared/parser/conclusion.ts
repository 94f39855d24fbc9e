export type Conclusion = 'medically necessary' | 'not medically necessary' | 'none';

// Negative wordings, tried before the positive ones because "not medically necessary" contains
// "medically necessary".
const NEGATIVE = [
  /\bnot[\s-]+(?:be\s+|been\s+|considered\s+|deemed\s+|shown\s+to\s+be\s+|appear\s+(?:to\s+be\s+)?|established\s+as\s+|found\s+(?:to\s+be\s+)?)?(?:medically[\s-]+)?(?:necessary|reasonable)\b/i,
  /\b(?:cannot|can\s*not|could\s+not|would\s+not|will\s+not|does\s+not|do\s+not|did\s+not|is\s+no\s+longer|are\s+no\s+longer|isn't|aren't)\s+(?:[\w-]+\s+){0,4}?(?:medically\s+)?necessary\b/i,
  /\bmedical(?:ly)?\s+necessity\s+(?:[\w-]+\s+){0,8}?(?:has|have|was|were|is|are)\s+not\s+(?:been\s+)?(?:established|substantiated|demonstrated|met|supported)\b/i,
  /\bnot\s+(?:medically\s+)?(?:indicated|recommended|supported|warranted|appropriate|certified|approved|substantiated)\b/i,
  /\b(?:unnecessary|non-?certified)\b/i,
];
const POSITIVE = [
  /\b(?:medically\s+)?necessary\b/i,
  /\b(?:is|are|was|were)\s+(?:medically\s+)?(?:indicated|recommended|supported|warranted|appropriate|reasonable)\b/i,
  /\bmedical\s+necessity\s+(?:[\w-]+\s+){0,8}?(?:has|have|is)\s+(?:been\s+)?(?:established|substantiated|demonstrated|met)\b/i,
];

// Opioid decisions end with fixed advice about tapering that mentions "medical necessity" and
// "if necessary" without concluding anything; it must not be read as the conclusion.
const boilerplateRe =
  /should not be interpreted as a recommendation|advised to (?:consult|speak)|weaning|tapering|addresses the medical necessity|if necessary, other relevant guidelines/i;
const mentionsNecessityRe = /medically[\s-]+necessary|medical\s+necessity|\bnecessary\b/i;

const sentenceSplit = /(?<=[.!?]["')\]]?)\s+(?=["'(]?[A-Z0-9])/;

/**
 * What a rationale concludes, read from its closing sentences: reviewers end with
 * "... is (not) medically necessary", occasionally with "not recommended/indicated" wording.
 */
export function rationaleConclusion(rationale: string): Conclusion {
  const closing = rationale
    .split(sentenceSplit)
    .filter((s) => s.trim() !== '' && !boilerplateRe.test(s))
    .slice(-3)
    .reverse();
  for (const s of closing) {
    if (mentionsNecessityRe.test(s)) {
      return NEGATIVE.some((re) => re.test(s)) ? 'not medically necessary' : 'medically necessary';
    }
  }
  for (const s of closing.slice(0, 2)) {
    if (NEGATIVE.some((re) => re.test(s))) return 'not medically necessary';
    if (POSITIVE.some((re) => re.test(s))) return 'medically necessary';
  }
  return 'none';
}
