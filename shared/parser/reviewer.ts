import { joinLines } from './normalize.ts';

export interface Reviewer {
  specialties: string[];
  licensure: string[];
}

const licensureRe =
  /State\(s\)\s+of\s+Licensure\s*:\s*(.*?)\s*(?=Certification\(s\)\s*\/\s*Specialty\s*:|$)/i;
const specialtyRe = /Certification\(s\)\s*\/\s*Specialty\s*:\s*(.*)$/i;
// "The expert reviewer is Board Certified in Occupational Medicine and is licensed to practice in California."
const inlineRe =
  /(?:expert|physician|professional)\s+reviewer\s+is\s+(?:(?:Board\s+Certified|certified|a\s+specialist|trained)\s+in\s+)?(.+?)\s*,?\s+and\s+(?:is\s+)?licensed\s+to\s+practice\s+in\s+(.+?)\.(?:\s|$)/i;

// Specialty names contain "and" ("Physical Medicine and Rehabilitation"); state lists do not.
function splitList(s: string, splitOnAnd = false): string[] {
  return s
    .split(splitOnAnd ? /\s*[,;]\s*|\s+and\s+(?=[A-Z])/ : /\s*[,;]\s*/)
    .map((x) =>
      x
        .trim()
        .replace(/\.$/, '')
        // "Board Certified in Internal Medicine, has a subspecialty in Pulmonary Diseases"
        .replace(
          /^(?:and\s+)?(?:has|with)\s+(?:a\s+)?sub-?specialty(?:\s+certificate)?\s+in\s+/i,
          '',
        )
        // "a Licensed Chiropractor", "a Licensed Psychologist"
        .replace(/^(?:a|an)\s+(?:licensed\s+)?/i, ''),
    )
    .filter((x) => x !== '');
}

/** The reviewer's specialties and states of licensure, from either the credentials block or the inline sentence. */
export function readReviewer(sectionLines: readonly string[]): Reviewer {
  const text = joinLines(sectionLines);
  const lic = licensureRe.exec(text);
  const spec = specialtyRe.exec(text);
  if (lic || spec) {
    return {
      specialties: spec ? splitList(spec[1]!) : [],
      licensure: lic ? splitList(lic[1]!, true) : [],
    };
  }
  const inline = inlineRe.exec(text);
  if (inline) {
    return { specialties: splitList(inline[1]!), licensure: splitList(inline[2]!, true) };
  }
  return { specialties: [], licensure: [] };
}
