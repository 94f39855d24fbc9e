import type { Category } from '../shared/taxonomy/index.ts';
import type { Random } from './random.ts';
import type { Expected, Region } from './requests.ts';

// Short templated prose for synthetic letters, written for this project: a guideline statement,
// a finding that supports the decision, and the closing "is (not) medically necessary".

interface Reasons {
  /** What the guidelines ask for. */
  rule: readonly string[];
  /** Findings behind an upheld denial. */
  against: readonly string[];
  /** Findings behind an overturned denial. */
  for: readonly string[];
}

const GENERIC: Reasons = {
  rule: [
    'The guidelines support a treatment when it addresses a documented deficit and its benefit can be measured.',
    'Treatment should be tied to specific functional goals and reviewed against them.',
  ],
  against: [
    'The records do not explain how this request would treat the industrial injury.',
    'No functional goal for the request is stated in the recent progress notes.',
  ],
  for: [
    'The treating physician explains the goal of the request and how progress will be measured.',
    'The recent notes document a clear deficit that this request addresses.',
  ],
};

const REASONS: Readonly<Record<string, Reasons>> = {
  Opioids: {
    rule: [
      'Ongoing opioid therapy is supported when each visit documents pain relief, function, side effects and screening for aberrant use.',
      'Long-term opioid use calls for the lowest effective dose, a treatment agreement and periodic drug testing.',
    ],
    against: [
      'The progress notes list the medication but give no pain scores with and without it.',
      'No functional gain, such as a return to work or more daily activity, is attributed to the medication.',
      'A recent urine drug screen and a current treatment agreement are not in the records.',
      'The worker has taken opioids for years without any measured benefit.',
    ],
    for: [
      'The treating physician records pain falling from 8/10 to 4/10 after each dose.',
      'With the medication the worker walks longer and manages household chores, and no aberrant behavior is noted.',
      'A signed agreement is on file and the last drug screen matched the prescribed regimen.',
    ],
  },
  NSAIDs: {
    rule: [
      'Anti-inflammatory drugs are recommended at the lowest dose for the shortest period for moderate to severe pain.',
    ],
    against: [
      'The worker has used the medication for many months without a documented improvement in pain or function.',
      'Blood pressure and kidney function have not been monitored during long-term use.',
    ],
    for: [
      'The notes describe a recent flare of pain, and a short course fits the guidelines.',
      'The medication lowers pain by about half and allows the worker to keep working.',
    ],
  },
  'Muscle Relaxants': {
    rule: [
      'Muscle relaxants are a second-line option for short courses during acute exacerbations of back pain.',
    ],
    against: [
      'The medication has been prescribed continuously for months, well beyond a short course.',
      'No muscle spasm is described on the most recent examination.',
    ],
    for: ['A new flare with palpable spasm is documented, and only a brief course is requested.'],
  },
  'Topical Analgesics': {
    rule: [
      'Topical analgesics are largely experimental, and a compound containing any ingredient that is not recommended is not recommended.',
      'Topical agents are considered for neuropathic pain after first-line oral medications have failed.',
    ],
    against: [
      'There is no record of a trial and failure of first-line oral agents.',
      'At least one ingredient of the product is not supported for this condition.',
    ],
    for: [
      'The worker cannot tolerate oral anti-inflammatory drugs, and the topical product has reduced localized pain.',
    ],
  },
  'Proton Pump Inhibitors': {
    rule: [
      'A proton pump inhibitor is appropriate when a patient taking anti-inflammatory drugs is at increased gastrointestinal risk.',
    ],
    against: [
      'The records describe no stomach complaints, ulcer, bleeding or other risk factor.',
      'The worker no longer takes an anti-inflammatory medication.',
    ],
    for: ['The worker has a history of gastritis and continues to take an anti-inflammatory drug.'],
  },
  Antidepressants: {
    rule: [
      'Antidepressants are a first-line option for neuropathic pain and a possible option for other chronic pain.',
    ],
    against: [
      'No assessment of the effect on pain, sleep or mood has been made since the medication was started.',
    ],
    for: [
      'The notes document better sleep and lower pain scores since the medication was started.',
    ],
  },
  Anticonvulsants: {
    rule: [
      'Anti-epilepsy drugs are recommended for neuropathic pain, and a good response is a 30 to 50 percent reduction in pain.',
    ],
    against: [
      'The records describe no neuropathic findings and no measurable response to the medication.',
    ],
    for: [
      'Radiating symptoms are documented, and the worker reports a clear reduction in burning pain.',
    ],
  },
  'Sedative/Hypnotics': {
    rule: [
      'Sleep medication is recommended for short-term use after the cause of the sleep disturbance has been evaluated.',
    ],
    against: [
      'The medication has been used for far longer than a few weeks, and sleep hygiene is not discussed.',
    ],
    for: ['The insomnia began recently with a flare of pain, and a short course is requested.'],
  },
  Benzodiazepines: {
    rule: [
      'Benzodiazepines are not recommended for long-term use because their benefit is unproven and dependence develops quickly.',
    ],
    against: ['The worker has used the medication for several months, beyond a four-week limit.'],
    for: [
      'A brief course is requested for acute anxiety with a clear plan to stop the medication.',
    ],
  },
  'Pharmaceuticals/Other': {
    rule: [
      'Medical foods and supplements are not recommended for chronic pain outside specific deficiency states.',
    ],
    against: ['The records give no specific indication for the product.'],
    for: ['A specific indication is documented and the product has helped the stated symptom.'],
  },
  Imaging: {
    rule: [
      'Imaging is indicated for red flags, progressive neurologic deficits, or when surgery is being considered.',
    ],
    against: [
      'The examination shows no focal neurologic deficit, and no red flags are described.',
      'A prior study is available, and no significant change in symptoms or findings is documented.',
    ],
    for: [
      'The worker has new weakness and numbness on examination despite conservative care.',
      'Surgery is being considered, and current imaging is needed to plan it.',
    ],
  },
  Electrodiagnostic: {
    rule: [
      'Electrodiagnostic testing can identify subtle focal neurologic dysfunction when symptoms last more than a few weeks.',
    ],
    against: [
      'Radiculopathy is already clinically obvious, so testing would not change treatment.',
      'The examination documents no neurologic findings in the limbs.',
    ],
    for: ['Numbness and tingling persist despite therapy, and the examination is equivocal.'],
  },
  Laboratory: {
    rule: [
      'Testing is recommended when its result will change management, at a frequency based on risk.',
    ],
    against: ['A test was done recently with expected results, and the worker is at low risk.'],
    for: ['The worker takes long-term medication, and no test has been done in the past year.'],
  },
  Therapy: {
    rule: [
      'The guidelines allow 9 to 10 visits over 8 weeks, fading in frequency toward a home exercise program.',
      'Active therapy is recommended when it produces objective functional improvement.',
    ],
    against: [
      'The worker has completed prior sessions without documented functional improvement.',
      'The number of sessions requested exceeds the guideline recommendation.',
      'The worker should by now be able to continue with a home exercise program.',
    ],
    for: [
      'The worker has not had therapy for this body part, and functional deficits are documented.',
      'Prior sessions improved range of motion and lifting tolerance, and a short extension is requested.',
    ],
  },
  Stimulation: {
    rule: [
      'A one-month home trial of electrical stimulation is an option alongside an active functional restoration program.',
    ],
    against: ['There is no documentation of a successful one-month trial.'],
    for: ['A one-month trial reduced pain and the need for medication.'],
  },
  Equipment: {
    rule: [
      'Equipment is recommended when it is medically needed and addresses a documented functional limitation.',
      'Braces and supports have no lasting benefit beyond the acute phase of symptoms.',
    ],
    against: [
      'The records do not describe a functional deficit that the equipment would address.',
      'The injury is well past its acute phase.',
    ],
    for: ['The worker has documented gait instability, and the equipment supports safe mobility.'],
  },
  Injection: {
    rule: [
      'Injections are recommended when the examination and imaging corroborate the pain generator and conservative care has failed.',
      'A repeat injection requires at least 50 percent relief for six to eight weeks after the last one.',
    ],
    against: [
      'The pain generator is not corroborated by the examination or imaging.',
      'A prior injection did not provide lasting relief.',
    ],
    for: [
      'The examination and imaging both point to the level requested, and therapy and medication have failed.',
    ],
  },
  Surgery: {
    rule: [
      'Surgery is indicated for clear clinical and imaging evidence of a lesion that benefits from repair, after conservative care has failed.',
      'A surgical referral is indicated for persistent, disabling symptoms with a lesion seen on imaging.',
    ],
    against: [
      'Conservative care has not been exhausted, and imaging does not show a surgical lesion.',
      'The examination findings do not match the imaging.',
    ],
    for: [
      'Imaging confirms the lesion, and months of conservative care have failed.',
      'The primary procedure has been certified, and this service is standard for it.',
    ],
  },
  Visit: {
    rule: ['Office visits are based on the symptoms, signs and the need to monitor medication.'],
    against: ['The reason for the visit is not explained, and the condition is stable.'],
    for: ['The worker takes medications that need monitoring, and symptoms have recently changed.'],
  },
  Psych: {
    rule: [
      'Psychological treatment is recommended with an initial trial of a few sessions, continued with objective functional improvement.',
    ],
    against: [
      'Prior sessions produced no documented change in mood or function.',
      'No psychological symptoms are documented in the recent records.',
    ],
    for: [
      'Symptoms of depression limit participation in rehabilitation, and no prior treatment has been given.',
    ],
  },
  Program: {
    rule: [
      'A program may be considered when other treatment of chronic pain has failed and the patient is motivated to change.',
    ],
    against: [
      'An adequate baseline evaluation has not been performed.',
      'The worker has not exhausted less intensive options.',
    ],
    for: [
      'The worker has failed extensive conservative care and has completed a baseline evaluation.',
    ],
  },
  Home: {
    rule: [
      'Home health services are recommended for medical treatment of homebound patients, not for homemaker help alone.',
    ],
    against: ['The worker is not homebound, and the services requested are homemaker tasks.'],
    for: ['The worker is homebound after surgery and needs skilled wound care.'],
  },
  Transport: {
    rule: [
      'Transportation is recommended when a disability prevents the patient from travelling to appointments alone.',
    ],
    against: ['The worker drives and has no documented condition preventing travel.'],
    for: ['The worker cannot drive after surgery and has no other way to reach appointments.'],
  },
};

function reasonsFor(expected: Expected): Reasons {
  const { category, subcategory } = expected;
  const byCategory: Partial<Record<Category, string>> = {
    'Evaluation & Management': 'Visit',
    'Psych Services': 'Psych',
    Programs: 'Program',
    'Home Health': 'Home',
    Transportation: 'Transport',
    Injections: 'Injection',
    Surgery: 'Surgery',
    Rehabilitation: 'Therapy',
  };
  let key = byCategory[category];
  if (category === 'Pharmaceuticals') {
    key = subcategory === 'Other' ? 'Pharmaceuticals/Other' : (subcategory ?? undefined);
  } else if (category === 'Diagnostic Testing') {
    key =
      subcategory === 'Imaging/Radiology'
        ? 'Imaging'
        : subcategory === 'EMG/NCV/NCS'
          ? 'Electrodiagnostic'
          : 'Laboratory';
  } else if (category === 'DMEPOS') {
    key = subcategory === 'Electrical Stimulation' ? 'Stimulation' : 'Equipment';
  }
  return (key !== undefined ? REASONS[key] : undefined) ?? GENERIC;
}

// The MTUS wording the DWC uses in closing sentences; "not" appears only in upheld ones.
const CLOSING_UPHELD = [
  (what: string) => `Therefore, the request for ${what} is not medically necessary.`,
  (what: string) => `As such, ${what} is not medically necessary.`,
  (what: string) => `The request for ${what} is therefore not medically necessary.`,
  () => 'Consequently, the request is not medically necessary.',
];
const CLOSING_OVERTURNED = [
  (what: string) => `Therefore, the request for ${what} is medically necessary.`,
  (what: string) => `As such, ${what} is medically necessary.`,
  () => 'The request is therefore medically necessary.',
];

/** A rationale of two to four sentences whose conclusion agrees with the decision. */
export function rationale(
  r: Random,
  expected: Expected,
  request: string,
  short: string,
  upheld: boolean,
): string {
  const reasons = reasonsFor(expected);
  const sentences = [r.pick(reasons.rule)];
  const findings = upheld ? reasons.against : reasons.for;
  sentences.push(...r.sample(findings, r.int(1, Math.min(2, findings.length))));
  const what = r.chance(0.5) ? request : short;
  sentences.push(r.pick(upheld ? CLOSING_UPHELD : CLOSING_OVERTURNED)(what));
  // Opioid denials end with advice on weaning, which says nothing about necessity.
  if (upheld && expected.subcategory === 'Opioids' && r.chance(0.4)) {
    sentences.push('Weaning should be managed by the prescribing physician.');
  }
  return sentences.join(' ');
}

// ---------------------------------------------------------------------------------------------
// Clinical case summary

const OCCUPATIONS = [
  'warehouse associate',
  'bus driver',
  'correctional officer',
  'office assistant',
  'cook',
  'custodian',
  'delivery driver',
  'machine operator',
  'landscaper',
  'retail clerk',
  'firefighter',
  'construction laborer',
  'home caregiver',
  'farm worker',
  'mechanic',
] as const;

const MECHANISMS = [
  'lifting a heavy box',
  'unloading a truck',
  'slipping on a wet floor',
  'falling from a ladder',
  'pulling a pallet jack',
  'moving furniture',
  'stepping off a loading dock',
  'repetitive work at a keyboard',
] as const;

const DIAGNOSES: Readonly<Record<string, readonly string[]>> = {
  'lumbar spine': [
    'lumbar radiculopathy',
    'lumbar disc displacement',
    'lumbar sprain and strain',
    'degenerative disc disease of the lumbar spine',
  ],
  'cervical spine': [
    'cervical radiculopathy',
    'cervical sprain and strain',
    'cervical spondylosis',
  ],
  'thoracic spine': ['thoracic sprain and strain', 'thoracic myofascial pain'],
  shoulder: ['shoulder impingement syndrome', 'rotator cuff tendinitis', 'adhesive capsulitis'],
  knee: ['internal derangement of the knee', 'knee osteoarthritis', 'medial meniscus tear'],
  wrist: ['carpal tunnel syndrome', 'wrist tendinitis'],
  hand: ['stenosing tenosynovitis of the finger', 'hand contusion'],
  elbow: ['lateral epicondylitis', 'cubital tunnel syndrome'],
  hip: ['hip osteoarthritis', 'trochanteric bursitis'],
  ankle: ['ankle sprain', 'ankle tendinitis'],
  foot: ['plantar fasciitis', 'foot contusion'],
};

const GENERAL_DIAGNOSES = [
  'chronic pain syndrome',
  'insomnia',
  'depression',
  'anxiety',
  'myofascial pain',
] as const;

const FINDINGS: Readonly<Record<string, readonly string[]>> = {
  'lumbar spine': [
    'tenderness over the lumbar paraspinal muscles and restricted range of motion',
    'a positive straight leg raise and decreased sensation in the leg',
  ],
  'cervical spine': [
    'tenderness of the cervical paraspinal muscles and reduced rotation',
    'a positive Spurling test and diminished grip strength',
  ],
  'thoracic spine': ['tenderness over the thoracic paraspinal muscles'],
  shoulder: ['a positive impingement sign and painful abduction', 'reduced shoulder flexion'],
  knee: ['medial joint line tenderness and a mild effusion', 'crepitus with knee flexion'],
  wrist: ['a positive Phalen test and reduced grip strength'],
  hand: ['triggering of the finger and tenderness at the palm'],
  elbow: ['tenderness over the lateral epicondyle'],
  hip: ['pain with internal rotation of the hip and an antalgic gait'],
  ankle: ['swelling over the lateral ankle and pain with inversion'],
  foot: ['tenderness at the heel and pain with the first steps of the day'],
};

const TREATMENTS = [
  'physical therapy',
  'chiropractic care',
  'acupuncture',
  'a home exercise program',
  'activity modification',
  'oral medications',
  'a TENS unit',
  'injections',
] as const;

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
] as const;

/** A date as case summaries write it: 03/14/2012, 3/14/2012, 3-14-12 or March 14, 2012. */
export function proseDate(r: Random, d: Date): string {
  const m = d.getUTCMonth() + 1;
  const day = d.getUTCDate();
  const y = d.getUTCFullYear();
  const pad = (n: number): string => String(n).padStart(2, '0');
  return r.weighted([
    [`${pad(m)}/${pad(day)}/${y}`, 4],
    [`${m}/${day}/${y}`, 2],
    [`${m}-${day}-${String(y).slice(2)}`, 1],
    [`${MONTHS[m - 1]!} ${day}, ${y}`, 1],
  ]);
}

export interface SummaryFacts {
  age: number;
  sex: 'female' | 'male';
  injury: Date;
  urDenial: Date;
  lastVisit: Date;
  regions: Region[];
  /** Something was modified rather than denied outright by utilization review. */
  modified: boolean;
}

/** The case summary and the diagnoses it lists, in order. */
export function caseSummary(r: Random, f: SummaryFacts): { text: string; diagnoses: string[] } {
  const [primary, secondary] = f.regions;
  if (primary === undefined) throw new RangeError('a summary needs at least one region');
  // "a 48 year old male cook", or "a 48 year old woman" (no occupation after woman or man).
  const noun = r.chance(0.8)
    ? `${f.sex} ${r.pick(OCCUPATIONS)}`
    : f.sex === 'female'
      ? 'woman'
      : 'man';
  const they = f.sex === 'female' ? 'she' : 'he';
  const injury = proseDate(r, f.injury);
  const opening = r.pick([
    `The injured worker is a ${f.age} year old ${noun} who sustained an industrial injury on ${injury}.`,
    `This ${f.age}-year-old ${noun} reported an injury to the ${primary.phrase} on ${injury} while ${r.pick(MECHANISMS)}.`,
    `The patient is a ${f.age} year old ${noun} with a date of injury of ${injury}.`,
    `The applicant is a ${f.age}-year-old ${noun} who was injured at work on ${injury}.`,
  ]);

  const pool = [
    ...(DIAGNOSES[primary.name] ?? []),
    ...(secondary ? (DIAGNOSES[secondary.name] ?? []) : []),
  ];
  const diagnoses = r.sample(pool, r.int(1, 2));
  if (r.chance(0.5)) diagnoses.push(...r.sample(GENERAL_DIAGNOSES, r.int(1, 2)));
  const diagnosisSentence =
    diagnoses.length === 1
      ? `The diagnosis is ${diagnoses[0]!}.`
      : r.chance(0.5)
        ? `The diagnoses include ${diagnoses.join('; ')}.`
        : `Diagnoses were documented as ${diagnoses.slice(0, -1).join(', ')} and ${diagnoses[diagnoses.length - 1]!}.`;

  const treated = r.sample(TREATMENTS, r.int(2, 3));
  const history = `Prior treatment has included ${treated.slice(0, -1).join(', ')} and ${treated[treated.length - 1]!}.`;
  const pain = r.int(4, 9);
  const visit = proseDate(r, f.lastVisit);
  const exam = `At the visit on ${visit}, ${they} reported pain rated ${pain}/10 in the ${primary.phrase}${
    secondary ? ` and ${secondary.phrase}` : ''
  }; examination showed ${r.pick(FINDINGS[primary.name] ?? ['tenderness'])}.`;
  const work = r.pick([
    `${they === 'she' ? 'She' : 'He'} is working with restrictions.`,
    `${they === 'she' ? 'She' : 'He'} has not worked since the injury.`,
    'Work status is temporarily totally disabled.',
    '',
  ]);
  const ur = proseDate(r, f.urDenial);
  const action = f.modified ? 'modified or non-certified' : r.pick(['non-certified', 'denied']);
  const review = r.pick([
    `On ${ur}, utilization review ${action} the requests.`,
    `A utilization review dated ${ur} ${action} the requested treatment.`,
  ]);
  const text = [opening, diagnosisSentence, history, exam, work, review]
    .filter((s) => s !== '')
    .join(' ');
  return { text, diagnoses };
}

// ---------------------------------------------------------------------------------------------
// Reviewer

const SPECIALTIES: Readonly<Record<Category, readonly string[]>> = {
  Pharmaceuticals: [
    'Pain Management',
    'Anesthesiology',
    'Physical Medicine & Rehabilitation',
    'Internal Medicine',
    'Family Medicine',
    'Occupational Medicine',
  ],
  'Diagnostic Testing': [
    'Orthopedic Surgery',
    'Physical Medicine & Rehabilitation',
    'Neurology',
    'Occupational Medicine',
  ],
  DMEPOS: ['Physical Medicine & Rehabilitation', 'Orthopedic Surgery', 'Family Medicine'],
  Rehabilitation: [
    'Physical Medicine & Rehabilitation',
    'Chiropractic Medicine',
    'Acupuncture',
    'Sports Medicine',
  ],
  Injections: ['Anesthesiology', 'Pain Management', 'Physical Medicine & Rehabilitation'],
  Surgery: ['Orthopedic Surgery', 'Neurological Surgery', 'Hand Surgery', 'Spine Surgery'],
  'Evaluation & Management': ['Internal Medicine', 'Family Medicine', 'Occupational Medicine'],
  'Psych Services': ['Psychiatry', 'Psychology'],
  Programs: ['Physical Medicine & Rehabilitation', 'Pain Management', 'Psychology'],
  'Home Health': ['Internal Medicine', 'Family Medicine', 'Physical Medicine & Rehabilitation'],
  Transportation: ['Family Medicine', 'Occupational Medicine'],
  Other: ['Internal Medicine', 'Preventive Medicine', 'Occupational Medicine'],
};

const SECOND_SPECIALTIES = [
  'Pain Management',
  'Sports Medicine',
  'Addiction Medicine',
  'Electrodiagnostic Medicine',
  'Spinal Cord Injury Medicine',
] as const;

const STATES = [
  'Texas',
  'Florida',
  'New York',
  'Arizona',
  'Oregon',
  'Washington',
  'Nevada',
  'Illinois',
  'Ohio',
  'Pennsylvania',
  'Maryland',
  'Virginia',
  'Massachusetts',
  'Colorado',
  'Georgia',
  'North Carolina',
  'New Jersey',
  'Michigan',
  'Minnesota',
  'Wisconsin',
  'Connecticut',
  'Tennessee',
] as const;

/** A reviewer matched to the letter's first disputed item. */
export function reviewer(
  r: Random,
  firstCategory: Category,
): { specialties: string[]; licensure: string[] } {
  const specialties = [r.pick(SPECIALTIES[firstCategory])];
  if (r.chance(0.25)) {
    const second = r.pick(SECOND_SPECIALTIES);
    if (!specialties.includes(second)) specialties.push(second);
  }
  const others = r.sample(
    STATES,
    r.weighted([
      [0, 3],
      [1, 4],
      [2, 2],
      [3, 1],
    ]),
  );
  const licensure = r.chance(0.7) || others.length === 0 ? ['California', ...others] : others;
  return { specialties, licensure };
}
