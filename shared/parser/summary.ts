import { ANY_DATE, toIsoDate } from '../text/index.ts';

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

const DX_LEAD = String.raw`\b(?:diagnos(?:es|is)|diagnosed)\s+(?:\w+\s+){0,2}?(?:of|with|include[sd]?|included|including|are|were|is|was|as|:)\s*:?\s*(?:documented\s+(?:is|as)\s+|documented\s+)?`;
// A sentence ends at a full stop followed by a space or, when extraction lost the space, a capital.
const SENTENCE_END = String.raw`(?:\.\s|\.(?=[A-Z])|\.$|$)`;
const diagnosisRes = [
  // A numbered list runs over several sentences: "diagnoses are: 1) C/S discopathy. 2) L/S radiculopathy."
  new RegExp(
    String.raw`${DX_LEAD}(1[).]\s+.+?(?:\s+\d{1,2}[).]\s+.+?)*)(?:\.\s+(?!\d{1,2}[).])|\.$|$)`,
    'i',
  ),
  new RegExp(String.raw`${DX_LEAD}(.+?)${SENTENCE_END}`, 'i'),
  new RegExp(
    String.raw`\b(?:undergoing\s+treatments?|being\s+treated|treated)\s+for\s*:?\s+(.+?)${SENTENCE_END}`,
    'i',
  ),
  /\bsubmitted\s+a\s+claim\s+for\s+(.+?)(?:\s+associated\s+with|\.\s|\.$|;|$)/i,
];

// Words that name a condition. "X strain and Y sprain" is two diagnoses, while "right wrist and
// right hand sprain", "strain of muscle, fascia and tendon" or "contusion of face, scalp and
// neck" is one: a part without a condition of its own belongs to its neighbour.
const conditionRe =
  /\b(?:sprains?|strains?|pain|fractures?|syndrome|disorders?|disease|injury|injuries|contusions?|tears?|lesions?|displacement|stenosis|herniat\w*|protrusion|bulg\w+|spasms?|depression|anxiety|insomnia|dislocation|stiffness|instability|impingement|paresthesias?|headaches?|wounds?|hernia|diabetes|obesity|asthma|concussion|syncope|nausea|vertigo|dizziness|giddiness|tachycardia|infarct\w*|trauma|rupture|subluxation|derangement|arthrosis|effusion|laceration|abrasion|deformity|dysfunction|loss|infection|foreign\s+body|status\s+post|history\s+of|disturbances?|stress|weakness|numbness|lumbago|sciatica|spondylosis|frozen|[\w-]+(?:itis|opathy|algia|osis|emia|malacia)|hypertension)\b/i;
// ICD-style qualifiers follow a comma inside one diagnosis: "sprain of ligaments, subsequent encounter".
const qualifierRe =
  /^(?:(?:subsequent|initial)\s+encounter|sequela|unspecified(?:\s+\w+)?|[\w ]*region|(?:right|left|bilateral|unspecified)?\s*(?:shoulder|knee|hip|elbow|wrist|hand|ankle|foot|side|upper arm|lower leg|thigh|forearm))$/i;
const leadNoiseRe =
  /^(?:(?:documented|listed|noted)\s+(?:as|is)|documented|having|of|with|and|the|a|an|her|his)\s+/i;
const trailingDateRe = new RegExp(
  String.raw`\s+(?:on|dated|in)\s+${ANY_DATE}$|\s*\(${ANY_DATE}\)$`,
  'i',
);

function cleanDiagnosis(p: string): string {
  let s = p.trim().replace(/^["'“”‘’]+|["'“”‘’]+$/g, '');
  for (let prev = ''; prev !== s;) {
    prev = s;
    s = s.replace(leadNoiseRe, '');
  }
  return s.replace(trailingDateRe, '').replace(/[.;,:\s]+$/, '');
}

const modifierRe = /^(?:right|left|bilateral|upper|lower|mid|[a-z-]+(?:al|ar|ic|ous|ior))$/i;
// Words that pair with the condition before them: "sprain and strain", "contusion and injury".
const coConditionRe = /^(?:sprains?|strains?|injury|injuries|giddiness|pain)$/i;

/** Groups the comma- and "and"-separated parts of a prose list into whole diagnoses. */
function groupParts(list: string): string[] {
  const atoms: { text: string; sep: string }[] = [];
  let last = 0;
  for (const m of list.matchAll(/\s*,\s*(?:and\s+)?|\s+and\s+/g)) {
    atoms.push({ text: list.slice(last, m.index), sep: m[0] });
    last = m.index + m[0].length;
  }
  atoms.push({ text: list.slice(last), sep: '' });
  // A lone modifier ("right and left shoulder sprain", "cervical, thoracic and lumbar injury")
  // shares the condition named after it.
  for (let i = atoms.length - 2; i >= 0; i--) {
    const atom = atoms[i]!;
    if (modifierRe.test(atom.text.trim())) {
      atoms[i + 1]!.text = atom.text + atom.sep + atoms[i + 1]!.text;
      atoms.splice(i, 1);
    }
  }
  const groups: string[] = [];
  let pendingSep = '';
  let carry = '';
  // "..., right wrist and right hand sprain": the location belongs to the condition after it.
  const sharesNextCondition = (i: number): boolean =>
    /^\s+and\s+$/.test(atoms[i]!.sep) && conditionRe.test(atoms[i + 1]?.text ?? '');
  atoms.forEach(({ text, sep }, i) => {
    const part = carry + text;
    carry = '';
    const cleaned = cleanDiagnosis(part);
    const last = groups[groups.length - 1];
    if (last === undefined) {
      groups.push(part);
    } else if ((qualifierRe.test(cleaned) && !sharesNextCondition(i)) || !conditionRe.test(last)) {
      groups[groups.length - 1] += pendingSep + part;
    } else if (!conditionRe.test(cleaned)) {
      // A part without a condition continues an ICD "of" list ("contusion of face, scalp and
      // neck"), or else shares the condition after it ("right wrist and right hand sprain").
      if (/\b(?:of|to|in|at)\b/i.test(last) || i === atoms.length - 1)
        groups[groups.length - 1] += pendingSep + part;
      else carry = part + sep;
    } else if (/^\s+and\s+$/.test(pendingSep) && coConditionRe.test(cleaned)) {
      groups[groups.length - 1] += pendingSep + part;
    } else {
      groups.push(part);
    }
    pendingSep = sep;
  });
  return groups;
}

/** Splits a stated list of diagnoses into items without cutting a diagnosis's own name apart. */
function splitDiagnoses(s: string): string[] {
  const numbered = s.split(/\s*\b\d{1,2}[).]\s+/).filter((x) => x.trim() !== '');
  let parts: string[];
  if (numbered.length > 1) parts = numbered;
  else if (s.includes(';')) parts = s.split(/\s*;\s*/);
  else parts = groupParts(s);
  return parts.map(cleanDiagnosis).filter((p) => p.length > 2 && p.length < 160);
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

/** What a case summary adds to a record: patient, diagnoses, and the dates a header left empty. */
export function applySummary(
  summary: string | null,
  dates: { injury: string | null; urDenial: string | null },
): {
  summary: string | null;
  patient: { age: number | null; sex: 'female' | 'male' | null };
  diagnoses: string[];
  /** Dates the summary states but are not real calendar dates, where the header had none. */
  unreadableDates: SummaryFacts['unreadableDates'];
} {
  if (summary === null || summary === '') {
    return { summary: null, patient: { age: null, sex: null }, diagnoses: [], unreadableDates: [] };
  }
  const facts = readSummary(summary);
  // Body-only letters state these two dates in prose; a header's dates win when present.
  const unreadableDates = facts.unreadableDates.filter((f) => dates[f] === null);
  dates.injury ??= facts.injuryDate;
  dates.urDenial ??= facts.urDate;
  return {
    summary,
    patient: { age: facts.age, sex: facts.sex },
    diagnoses: facts.diagnoses,
    unreadableDates,
  };
}
