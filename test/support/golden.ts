import { createHash } from 'node:crypto';
import type { Determination } from '../../shared/record/determination.ts';

const digest = (s: string): { sha256: string; chars: number } => ({
  sha256: createHash('sha256').update(s).digest('hex').slice(0, 16),
  chars: s.length,
});

/**
 * A Determination as stored in a golden file: the letter's prose (rationales, case summary)
 * becomes a digest so the repository holds no third-party text, yet any change to how that
 * prose is cut out of the letter still fails the comparison.
 */
export function goldenView(d: Determination): unknown {
  return {
    ...d,
    source: d.source.split('/').pop(),
    summary: d.summary === null ? null : digest(d.summary),
    issues: d.issues.map((i) => ({ ...i, rationale: digest(i.rationale) })),
  };
}
