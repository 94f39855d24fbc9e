import { ANY_DATE, toIsoDate } from './dates.ts';

export interface SummaryFacts {
  age: number | null;
  sex: 'female' | 'male' | null;
  injuryDate: string | null;
  urDate: string | null;
  /** Dates that were stated but are not real calendar dates. */
  unreadableDates: ('injury' | 'urDenial')[];
  diagnoses: string[];
}

const SEX_WORD: Record<string, 'female' | 'male'> = {
  female: 'female',
  woman: 'female',
  lady: 'female',
  girl: 'female',
  male: 'male',
  man: 'male',
  gentleman: 'male',
  boy: 'male',
};

const ageRe =
  /\b(\d{1,3})(?:\s*|-)years?(?:\s*|-)old\b(?:\s*,?\s*(?:(?:right|left)[- ]handed|injured|married|single|divorced|widowed|african[- ]american|hispanic|caucasian|white|black|asian)\b)*\s*(female|male|woman|man|lady|gentleman|girl|boy)?/i;
const sexWordRe = /\b(female|male|woman|gentleman|lady)\b/i;
const sheRe = /\b(?:she|her|hers|herself)\b/gi;
const heRe = /\b(?:he|him|his|himself)\b/gi;

// Phrases introducing the date of injury and the utilization review date, as case summaries
// word them ("date of injury in this case is 08/07/2012", "sustained an industrial injury on
// 10-13-16", "industrial injury date of August 10, 2010", "utilization review under appeal is dated").
const DATE = `(${ANY_DATE}|\\d{1,4}[/-]\\d{1,4}[/-]\\d{1,4})`;
const injuryRes = [
  new RegExp(
    String.raw`\bdate\s+of\s+(?:the\s+)?(?:industrial\s+)?injury(?:\s+in\s+this\s+case)?\s*(?:is|was|of|on|:)?\s*(?:on\s+)?${DATE}`,
    'i',
  ),
  new RegExp(String.raw`\binjury\s+date\s*(?:is|was|of|on|:)?\s*${DATE}`, 'i'),
  new RegExp(
    String.raw`\b(?:sustained|suffered|reported|incurred)\s+(?:an?\s+)?(?:\w+\s+){0,3}?injur(?:y|ies)\s+(?:\w+\s+){0,6}?on\s+${DATE}`,
    'i',
  ),
  new RegExp(String.raw`\binjured\s+(?:\w+\s+){0,6}?on\s+${DATE}`, 'i'),
  new RegExp(String.raw`\bDOI\s*(?:of|:|is)?\s*${DATE}`),
];
const urRes = [
  new RegExp(
    String.raw`\butilization\s+review\s+(?:[\w-]+\s+){0,4}?(?:dated|of|on|from)\s+(?:on\s+)?${DATE}`,
    'i',
  ),
  new RegExp(String.raw`\butilization\s+review\s*\(\s*${DATE}\s*\)`, 'i'),
  new RegExp(String.raw`\bon\s+${DATE}\s*,?\s+(?:the\s+)?(?:a\s+)?utilization\s+review`, 'i'),
  new RegExp(String.raw`\bUR\s+(?:[\w-]+\s+){0,3}?(?:dated|of|on|from)\s+(?:on\s+)?${DATE}`),
  new RegExp(String.raw`\bUR\s*\(\s*${DATE}\s*\)`),
  new RegExp(
    String.raw`\b(?:non-?certified|denied|modified)\s+(?:[\w-]+\s+){0,3}?on\s+${DATE}`,
    'i',
  ),
];

const DX_LEAD = String.raw`\b(?:diagnos(?:es|is)|diagnosed)\s+(?:\w+\s+){0,2}?(?:of|with|include[sd]?|included|including|are|were|is|was|as|:)\s*:?\s*`;
const diagnosisRes = [
  // A numbered list runs over several sentences: "diagnoses are: 1) C/S discopathy. 2) L/S radiculopathy."
  new RegExp(
    String.raw`${DX_LEAD}(1[).]\s+.+?(?:\s+\d{1,2}[).]\s+.+?)*)(?:\.\s+(?!\d{1,2}[).])|\.$|$)`,
    'i',
  ),
  new RegExp(String.raw`${DX_LEAD}(.+?)(?:\.\s|\.$|$)`, 'i'),
  /\b(?:undergoing treatment|being treated|treated)\s+for\s+(.+?)(?:\.\s|\.$|$)/i,
  /\bsubmitted\s+a\s+claim\s+for\s+(.+?)(?:\s+associated\s+with|\.\s|\.$|;|$)/i,
];

// Words that name a condition. "X strain and Y sprain" is two diagnoses, while "right wrist and
// right hand sprain", "right and left shoulder sprain" or "dizziness and giddiness" is one.
const conditionRe =
  /\b(?:sprains?|strains?|pain|fractures?|syndrome|disorders?|disease|injury|injuries|contusions?|tears?|lesions?|displacement|stenosis|herniation|protrusion|bulg\w+|spasms?|depression|anxiety|insomnia|dislocation|stiffness|instability|impingement|paresthesias?|headaches?|wounds?|hernia|\w+itis|\w+opathy|\w+algia|\w+osis|\w+emia|hypertension)\b/i;
// ICD-style qualifiers follow a comma inside one diagnosis: "sprain of ligaments, subsequent encounter".
const qualifierRe =
  /^(?:(?:subsequent|initial)\s+encounter|sequela|unspecified(?:\s+\w+)?|[\w ]*region|(?:right|left|bilateral|unspecified)?\s*(?:shoulder|knee|hip|elbow|wrist|hand|ankle|foot|side|upper arm|lower leg|thigh|forearm))$/i;
const leadNoiseRe = /^(?:(?:documented|listed|noted)\s+as|having|of|with|and|the|a|an|her|his)\s+/i;
const trailingDateRe = new RegExp(
  String.raw`\s+(?:on|dated|in)\s+${ANY_DATE}$|\s*\(${ANY_DATE}\)$`,
  'i',
);

function cleanDiagnosis(p: string): string {
  let s = p.trim();
  for (let prev = ''; prev !== s;) {
    prev = s;
    s = s.replace(leadNoiseRe, '');
  }
  return s.replace(trailingDateRe, '').replace(/[.;,:\s]+$/, '');
}

/** Splits "a and b" where each side names a condition; a side without one belongs to its neighbour. */
function splitOnAnd(p: string): string[] {
  const halves = p.split(/\s+and\s+/);
  const groups: string[] = [];
  halves.forEach((half, k) => {
    const last = groups.length - 1;
    if (
      last >= 0 &&
      !(conditionRe.test(groups[last]!) && conditionRe.test(halves.slice(k).join(' ')))
    ) {
      groups[last] += ` and ${half}`;
    } else {
      groups.push(half);
    }
  });
  // A trailing side without a condition ("... sprain and right") rejoins the group before it.
  return groups.reduce<string[]>((out, g) => {
    if (out.length > 0 && !conditionRe.test(g)) out[out.length - 1] += ` and ${g}`;
    else out.push(g);
    return out;
  }, []);
}

/** Splits a stated list of diagnoses into items without cutting a diagnosis's own name apart. */
function splitDiagnoses(s: string): string[] {
  const numbered = s.split(/\s*\b\d{1,2}[).]\s+/).filter((x) => x.trim() !== '');
  let parts: string[];
  if (numbered.length > 1) parts = numbered;
  else if (s.includes(';')) parts = s.split(/\s*;\s*/);
  else {
    parts = [];
    for (const piece of s.split(/\s*,\s*/)) {
      const cleaned = cleanDiagnosis(piece);
      const prev = parts[parts.length - 1];
      // "strain of muscle, fascia and tendon of the lower back" is one ICD name.
      const continues =
        prev !== undefined &&
        (qualifierRe.test(cleaned) || (!conditionRe.test(cleaned) && /\bof\s+\w+$/i.test(prev)));
      if (continues) parts[parts.length - 1] += `, ${cleaned}`;
      else parts.push(piece);
    }
    // A lone adjective ("cervical, thoracic and lumbar injury") shares the condition after it.
    parts = parts.reduceRight<string[]>((out, p) => {
      const word = cleanDiagnosis(p);
      if (out.length > 0 && /^[a-z-]+(?:al|ar|ic|ous|ior)$/i.test(word))
        out[0] = `${word}, ${out[0]!}`;
      else out.unshift(p);
      return out;
    }, []);
    parts = parts.flatMap(splitOnAnd);
  }
  return parts.map(cleanDiagnosis).filter((p) => p.length > 2 && p.length < 120);
}

function firstDate(text: string, res: readonly RegExp[]): { iso: string | null; found: boolean } {
  for (const re of res) {
    const m = re.exec(text);
    if (m?.[1]) return { iso: toIsoDate(m[1]), found: true };
  }
  return { iso: null, found: false };
}

/** Facts a clinical case summary states in prose: age, sex, injury and UR dates, diagnoses. */
export function readSummary(summary: string): SummaryFacts {
  const ageMatch = ageRe.exec(summary);
  let age: number | null = null;
  let sex: SummaryFacts['sex'] = null;
  if (ageMatch) {
    const n = Number(ageMatch[1]);
    if (n >= 14 && n <= 100) age = n;
    if (ageMatch[2]) sex = SEX_WORD[ageMatch[2].toLowerCase()] ?? null;
  }
  if (sex === null) {
    const w = sexWordRe.exec(summary);
    if (w) sex = SEX_WORD[w[1]!.toLowerCase()] ?? null;
  }
  if (sex === null) {
    // Pronouns decide only when they clearly point one way: summaries quote other people too.
    const she = summary.match(sheRe)?.length ?? 0;
    const he = summary.match(heRe)?.length ?? 0;
    if (she >= 2 && she >= 3 * he) sex = 'female';
    else if (he >= 2 && he >= 3 * she) sex = 'male';
  }

  const injury = firstDate(summary, injuryRes);
  const ur = firstDate(summary, urRes);
  const unreadableDates: SummaryFacts['unreadableDates'] = [];
  if (injury.found && injury.iso === null) unreadableDates.push('injury');
  if (ur.found && ur.iso === null) unreadableDates.push('urDenial');

  let diagnoses: string[] = [];
  for (const re of diagnosisRes) {
    const m = re.exec(summary);
    if (m?.[1]) {
      diagnoses = splitDiagnoses(m[1]);
      if (diagnoses.length > 0) break;
    }
  }
  return { age, sex, injuryDate: injury.iso, urDate: ur.iso, unreadableDates, diagnoses };
}
