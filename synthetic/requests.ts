import type {
  BodyRegion,
  Category,
  PharmaSubcategory,
  Subcategory,
} from '../shared/taxonomy/index.ts';
import type { Random } from './random.ts';

// Disputed items for synthetic letters, written the way treating physicians word requests. Every
// template states the category, subcategory, drug and first body region the project's parser
// must find in it (shared/taxonomy/classify.ts); the synthetic-letter tests hold them to it.

/** A part of the body a worker injured, with the words a request may use for it. */
export interface Region {
  /** The normalised name the classifier gives it (BODY_REGIONS). */
  name: BodyRegion;
  /** Phrase for a request or summary: "lumbar spine", "right shoulder", "bilateral knees". */
  phrase: string;
  /** The ACOEM chapter adopted into MTUS for this region, when there is one. */
  chapter: { number: number; title: string; pages: string } | null;
  /** The ODG chapter for this region. */
  odg: string;
}

/** What the parser must make of a request. */
export interface Expected {
  category: Category;
  subcategory: Subcategory | null;
  drug: string | null;
  bodyRegion: BodyRegion | null;
}

/** Which guideline a reviewer would cite for a request (see guidelines.ts). */
export type Topic =
  | { mtus: 'chronic-pain'; section: string; pages: string; odg: string; odgTopic: string }
  | { mtus: 'opioids'; section: string; pages: string; odg: string; odgTopic: string }
  | { mtus: 'region'; section: string; odg: string; odgTopic: string }
  | { mtus: 'acupuncture'; odg: string; odgTopic: string }
  | { mtus: 'stress'; section: string; odg: string; odgTopic: string }
  | { mtus: 'none'; odg: string; odgTopic: string };

/** One generated request. */
export interface Request {
  text: string;
  expected: Expected;
  /** How a rationale names it: "Norco", "physical therapy", "the TENS unit". */
  short: string;
  topic: Topic;
  /** The requested count and the request rebuilt with another count (for modified requests). */
  count?: { n: number; build: (n: number) => string };
}

export interface RequestContext {
  region: Region;
  /** Whether the letter also disputes a surgery: other items may then be "associated" services. */
  surgical: boolean;
}

type Template = (r: Random, c: RequestContext) => Request;

const CHAPTERS = {
  lumbar: { number: 12, title: 'Low Back Complaints', pages: '303-305' },
  cervical: { number: 8, title: 'Neck and Upper Back Complaints', pages: '177-179' },
  shoulder: { number: 9, title: 'Shoulder Complaints', pages: '207-209' },
  elbow: { number: 10, title: 'Elbow Disorders', pages: '33-35' },
  hand: { number: 11, title: 'Forearm, Wrist, and Hand Complaints', pages: '268-270' },
  knee: { number: 13, title: 'Knee Complaints', pages: '341-343' },
  foot: { number: 14, title: 'Ankle and Foot Complaints', pages: '371-373' },
} as const;

interface RegionKind {
  name: BodyRegion;
  singular: string;
  plural: string;
  sided: boolean;
  chapter: Region['chapter'];
  odg: string;
  weight: number;
}

const REGION_KINDS: readonly RegionKind[] = [
  {
    name: 'lumbar spine',
    singular: 'lumbar spine',
    plural: 'lumbar spine',
    sided: false,
    chapter: CHAPTERS.lumbar,
    odg: 'Low Back',
    weight: 34,
  },
  {
    name: 'cervical spine',
    singular: 'cervical spine',
    plural: 'cervical spine',
    sided: false,
    chapter: CHAPTERS.cervical,
    odg: 'Neck and Upper Back',
    weight: 17,
  },
  {
    name: 'thoracic spine',
    singular: 'thoracic spine',
    plural: 'thoracic spine',
    sided: false,
    chapter: CHAPTERS.cervical,
    odg: 'Neck and Upper Back',
    weight: 3,
  },
  {
    name: 'shoulder',
    singular: 'shoulder',
    plural: 'shoulders',
    sided: true,
    chapter: CHAPTERS.shoulder,
    odg: 'Shoulder',
    weight: 14,
  },
  {
    name: 'knee',
    singular: 'knee',
    plural: 'knees',
    sided: true,
    chapter: CHAPTERS.knee,
    odg: 'Knee & Leg',
    weight: 12,
  },
  {
    name: 'wrist',
    singular: 'wrist',
    plural: 'wrists',
    sided: true,
    chapter: CHAPTERS.hand,
    odg: 'Forearm, Wrist, & Hand',
    weight: 5,
  },
  {
    name: 'hand',
    singular: 'hand',
    plural: 'hands',
    sided: true,
    chapter: CHAPTERS.hand,
    odg: 'Forearm, Wrist, & Hand',
    weight: 3,
  },
  {
    name: 'elbow',
    singular: 'elbow',
    plural: 'elbows',
    sided: true,
    chapter: CHAPTERS.elbow,
    odg: 'Elbow',
    weight: 3,
  },
  {
    name: 'hip',
    singular: 'hip',
    plural: 'hips',
    sided: true,
    chapter: null,
    odg: 'Hip & Pelvis',
    weight: 3,
  },
  {
    name: 'ankle',
    singular: 'ankle',
    plural: 'ankles',
    sided: true,
    chapter: CHAPTERS.foot,
    odg: 'Ankle & Foot',
    weight: 3,
  },
  {
    name: 'foot',
    singular: 'foot',
    plural: 'feet',
    sided: true,
    chapter: CHAPTERS.foot,
    odg: 'Ankle & Foot',
    weight: 3,
  },
];

/** An injured body part, weighted as workers' compensation claims are (backs and necks first). */
export function pickRegion(r: Random, exclude?: BodyRegion): Region {
  const kinds = REGION_KINDS.filter((k) => k.name !== exclude);
  const kind = r.weighted(kinds.map((k) => [k, k.weight] as const));
  let phrase = kind.singular;
  if (kind.sided) {
    const side = r.weighted([
      ['right', 5],
      ['left', 4],
      ['bilateral', 1],
    ] as const);
    phrase = side === 'bilateral' ? `bilateral ${kind.plural}` : `${side} ${kind.singular}`;
  }
  return { name: kind.name, phrase, chapter: kind.chapter, odg: kind.odg };
}

const JOINTS: readonly BodyRegion[] = ['knee', 'shoulder', 'hip', 'elbow', 'wrist', 'ankle'];

const PARAFFIN_REGIONS: readonly BodyRegion[] = ['hand', 'wrist', 'foot', 'ankle'];

const isSpine = (region: Region): boolean =>
  region.name === 'lumbar spine' ||
  region.name === 'cervical spine' ||
  region.name === 'thoracic spine';

// ---------------------------------------------------------------------------------------------
// Pharmaceuticals

interface Drug {
  /** As prescribers write it: brand or generic. */
  name: string;
  /** Canonical generic name in shared/taxonomy/drugs.ts. */
  generic: string;
  strengths: readonly string[];
  counts: readonly number[];
}

/** "Norco | hydrocodone/acetaminophen | 10/325mg, 5/325mg | 60, 90": one line per product. */
function parseDrugLine(line: string): Drug {
  const [name, generic, strengths, counts] = line.split(' | ');
  if (
    name === undefined ||
    generic === undefined ||
    strengths === undefined ||
    counts === undefined
  ) {
    throw new Error(`drug line needs four fields: ${line}`);
  }
  return {
    name,
    generic,
    strengths: strengths.split(', '),
    counts: counts.split(', ').map(Number),
  };
}

const TABLET_SIGS = [
  'one tablet by mouth every 6 hours as needed',
  '1 tab PO BID',
  'one tablet twice daily',
  'take 1 every 8 hours as needed for pain',
  '1 tablet PO TID',
  'one by mouth at bedtime',
  'one tablet daily',
] as const;

// Products and strengths as requests name them; each generic is the one drugs.ts gives the name.
const DRUG_LINES: Readonly<Record<PharmaSubcategory, readonly string[]>> = {
  Opioids: [
    'Norco | hydrocodone/acetaminophen | 10/325mg, 7.5/325mg, 5/325mg | 60, 90, 120, 180',
    'Hydrocodone/APAP | hydrocodone/acetaminophen | 10/325mg, 5/325mg | 60, 90, 120',
    'Hydrocodone | hydrocodone/acetaminophen | 10/325mg, 7.5/325mg | 60, 90',
    'Percocet | oxycodone/acetaminophen | 10/325mg, 5/325mg | 60, 90, 120',
    'Oxycodone | oxycodone | 5mg, 10mg, 15mg | 60, 90',
    'OxyContin | oxycodone | 10mg, 20mg, 40mg | 60',
    'Tramadol | tramadol | 50mg | 60, 90, 120',
    'Tramadol ER | tramadol | 150mg, 100mg | 30, 60',
    'Ultram | tramadol | 50mg | 60, 90',
    'Ultracet | tramadol/acetaminophen | 37.5/325mg | 60, 90',
    'Nucynta | tapentadol | 50mg, 75mg | 60, 90',
    'MS Contin | morphine | 15mg, 30mg | 60',
    'Hydromorphone | hydromorphone | 2mg, 4mg | 60, 90',
    'Methadone | methadone | 5mg, 10mg | 60, 90',
    'Butrans | buprenorphine | 10mcg/hr patch, 5mcg/hr patch | 4, 8',
    'Fentanyl | fentanyl | 25mcg/hr patch, 50mcg/hr patch | 10, 15',
  ],
  NSAIDs: [
    'Naproxen | naproxen | 550mg, 500mg | 60, 90',
    'Naproxen sodium | naproxen | 550mg | 60, 100',
    'Anaprox DS | naproxen | 550mg | 60',
    'Ibuprofen | ibuprofen | 800mg, 600mg | 60, 90',
    'Motrin | ibuprofen | 800mg | 60, 90',
    'Meloxicam | meloxicam | 15mg, 7.5mg | 30, 60',
    'Mobic | meloxicam | 15mg | 30',
    'Celebrex | celecoxib | 200mg, 100mg | 30, 60',
    'Diclofenac sodium ER | diclofenac | 100mg | 30, 60',
    'Etodolac | etodolac | 400mg, 500mg | 60',
    'Nabumetone | nabumetone | 750mg, 500mg | 60, 90',
    'Relafen | nabumetone | 500mg | 60',
  ],
  'Muscle Relaxants': [
    'Cyclobenzaprine | cyclobenzaprine | 7.5mg, 10mg, 5mg | 30, 60, 90',
    'Flexeril | cyclobenzaprine | 10mg | 30, 60',
    'Fexmid | cyclobenzaprine | 7.5mg | 60, 90',
    'Tizanidine | tizanidine | 4mg, 2mg | 60, 90',
    'Zanaflex | tizanidine | 4mg | 60',
    'Baclofen | baclofen | 10mg, 20mg | 60, 90',
    'Methocarbamol | methocarbamol | 750mg, 500mg | 60, 90',
    'Robaxin | methocarbamol | 750mg | 60',
    'Soma | carisoprodol | 350mg, 250mg | 30, 60',
    'Orphenadrine ER | orphenadrine | 100mg | 60',
    'Skelaxin | metaxalone | 800mg | 60, 90',
  ],
  'Topical Analgesics': [
    'Lidoderm | lidocaine | 5% patch | 30, 60, 90',
    'Lidocaine | lidocaine | 5% ointment | 1, 2',
    'Terocin | methyl salicylate/capsaicin/menthol/lidocaine | patch | 10, 30',
    'Flector | diclofenac | 1.3% patch | 30, 60',
    'Voltaren | diclofenac | 1% gel | 1, 3, 5',
    'LidoPro | capsaicin/lidocaine/menthol/methyl salicylate | lotion 121gm | 1, 2',
    'Medrox | methyl salicylate/menthol/capsaicin | patch | 30',
    'Capsaicin | capsaicin | 0.075% cream, 0.025% cream | 1, 2',
    'Compounded cream: Flurbiprofen | flurbiprofen | 20%/Lidocaine 5% 180gm, 25%/Cyclobenzaprine 2% 120gm | 1',
    'Ketoprofen | ketoprofen | 20% cream 120gm, 10% gel | 1, 2',
    'Gabapentin | gabapentin | 10%/Amitriptyline 5%/Capsaicin 0.025% cream 180gm, 6% cream 210gm | 1',
    'Cyclobenzaprine | cyclobenzaprine | 2% cream 60gm, 5%/Lidocaine 2% cream | 1',
  ],
  'Proton Pump Inhibitors': [
    'Omeprazole | omeprazole | 20mg, 40mg | 30, 60',
    'Prilosec | omeprazole | 20mg | 30, 60',
    'Pantoprazole | pantoprazole | 40mg, 20mg | 30, 60',
    'Protonix | pantoprazole | 20mg, 40mg | 30, 60',
    'Nexium | esomeprazole | 40mg | 30',
    'Lansoprazole | lansoprazole | 30mg | 30, 60',
    'Dexilant | dexlansoprazole | 60mg | 30',
  ],
  Antidepressants: [
    'Cymbalta | duloxetine | 60mg, 30mg | 30, 60',
    'Duloxetine | duloxetine | 30mg, 60mg | 30, 60',
    'Elavil | amitriptyline | 25mg, 10mg | 30',
    'Amitriptyline | amitriptyline | 25mg, 50mg | 30, 60',
    'Trazodone | trazodone | 50mg, 100mg | 30, 60',
    'Nortriptyline | nortriptyline | 25mg | 30, 60',
    'Wellbutrin XL | bupropion | 150mg, 300mg | 30',
    'Effexor XR | venlafaxine | 75mg, 150mg | 30, 60',
    'Sertraline | sertraline | 50mg, 100mg | 30',
    'Remeron | mirtazapine | 15mg | 30',
  ],
  Anticonvulsants: [
    'Gabapentin | gabapentin | 600mg, 300mg, 800mg | 60, 90, 120',
    'Neurontin | gabapentin | 300mg, 600mg | 90',
    'Lyrica | pregabalin | 75mg, 150mg, 50mg | 60',
    'Pregabalin | pregabalin | 75mg | 60, 90',
    'Topamax | topiramate | 25mg, 50mg | 60',
    'Gralise | gabapentin | 600mg | 90',
  ],
  'Sedative/Hypnotics': [
    'Ambien | zolpidem | 10mg, 5mg | 30',
    'Ambien CR | zolpidem | 12.5mg, 6.25mg | 30',
    'Zolpidem | zolpidem | 10mg | 30',
    'Lunesta | eszopiclone | 2mg, 3mg | 30',
    'Belsomra | suvorexant | 10mg, 15mg | 30',
    'Sonata | zaleplon | 10mg | 30',
  ],
  Benzodiazepines: [
    'Xanax | alprazolam | 0.5mg, 1mg | 30, 60',
    'Alprazolam | alprazolam | 0.25mg, 0.5mg | 30, 60',
    'Valium | diazepam | 5mg, 10mg | 30, 60',
    'Diazepam | diazepam | 5mg | 30',
    'Klonopin | clonazepam | 0.5mg, 1mg | 30, 60',
    'Ativan | lorazepam | 1mg, 0.5mg | 30, 60',
    'Restoril | temazepam | 15mg, 30mg | 30',
  ],
  Other: [
    'Sentra PM | sentra | medical food | 60',
    'Theramine | theramine | medical food | 90, 120',
    'Colace | docusate | 100mg | 60',
    'Senokot | sennosides | 8.6mg | 60',
    'Ondansetron | ondansetron | 8mg, 4mg | 10, 20',
    'Fioricet | butalbital/acetaminophen/caffeine | 50/325/40mg | 30',
    'Imitrex | sumatriptan | 50mg, 100mg | 9',
    'Medrol | methylprednisolone | 4mg dose pack | 1',
    'Prednisone | prednisone | 10mg, 20mg | 10, 21',
    'Hydroxyzine | hydroxyzine | 25mg | 30, 60',
    'Gabadone | gabadone | medical food | 60',
    'Deplin | l-methylfolate | 15mg | 30',
    'Glucosamine sulfate | glucosamine | 1500mg | 90',
    'Vitamin D3 | vitamin d | 2000 IU | 30, 90',
    'Omega-3 fish oil | omega-3 fatty acids | 1000mg | 60, 120',
  ],
};

const PHARMA_WEIGHTS: readonly (readonly [PharmaSubcategory, number])[] = [
  ['Opioids', 30],
  ['Topical Analgesics', 14],
  ['Muscle Relaxants', 12],
  ['NSAIDs', 11],
  ['Proton Pump Inhibitors', 9],
  ['Anticonvulsants', 9],
  ['Antidepressants', 5],
  ['Sedative/Hypnotics', 4],
  ['Benzodiazepines', 3],
  ['Other', 3],
];

const PHARMA_TOPICS: Readonly<Record<PharmaSubcategory, Topic>> = {
  Opioids: {
    mtus: 'opioids',
    section: 'Opioids, criteria for use',
    pages: '76-80',
    odg: 'Pain (Chronic)',
    odgTopic: 'Opioids for chronic pain',
  },
  NSAIDs: {
    mtus: 'chronic-pain',
    section: 'NSAIDs (non-steroidal anti-inflammatory drugs)',
    pages: '67-73',
    odg: 'Pain (Chronic)',
    odgTopic: 'NSAIDs',
  },
  'Muscle Relaxants': {
    mtus: 'chronic-pain',
    section: 'Muscle relaxants (for pain)',
    pages: '63-66',
    odg: 'Pain (Chronic)',
    odgTopic: 'Muscle relaxants',
  },
  'Topical Analgesics': {
    mtus: 'chronic-pain',
    section: 'Topical Analgesics',
    pages: '111-113',
    odg: 'Pain (Chronic)',
    odgTopic: 'Topical analgesics',
  },
  'Proton Pump Inhibitors': {
    mtus: 'chronic-pain',
    section: 'NSAIDs, GI symptoms & cardiovascular risk',
    pages: '68-69',
    odg: 'Pain (Chronic)',
    odgTopic: 'Proton pump inhibitors (PPIs)',
  },
  Antidepressants: {
    mtus: 'chronic-pain',
    section: 'Antidepressants for chronic pain',
    pages: '13-16',
    odg: 'Mental Illness & Stress',
    odgTopic: 'Antidepressants',
  },
  Anticonvulsants: {
    mtus: 'chronic-pain',
    section: 'Anti-epilepsy drugs (AEDs)',
    pages: '16-22',
    odg: 'Pain (Chronic)',
    odgTopic: 'Anti-epilepsy drugs',
  },
  'Sedative/Hypnotics': {
    mtus: 'none',
    odg: 'Pain (Chronic)',
    odgTopic: 'Insomnia treatment',
  },
  Benzodiazepines: {
    mtus: 'chronic-pain',
    section: 'Benzodiazepines',
    pages: '24',
    odg: 'Pain (Chronic)',
    odgTopic: 'Benzodiazepines',
  },
  Other: { mtus: 'none', odg: 'Pain (Chronic)', odgTopic: 'Medical food' },
};

function pharmaceutical(r: Random, c: RequestContext): Request {
  const drugClass = r.weighted(PHARMA_WEIGHTS);
  const drug = parseDrugLine(r.pick(DRUG_LINES[drugClass]));
  const strength = r.pick(drug.strengths);
  const n = r.pick(drug.counts);
  const base = `${drug.name} ${strength}`;
  const sig = strength.includes('patch')
    ? 'apply one patch as directed'
    : drugClass === 'Topical Analgesics'
      ? 'apply to the affected area twice daily'
      : r.pick(TABLET_SIGS);
  const form = r.weighted([
    [(k: number) => `${base} #${k}`, 8],
    [(k: number) => `${base}, #${k}`, 2],
    [(k: number) => `${base} #${k} ${sig}`, 2],
    [(k: number) => `${base} ${sig}, #${k}`, 1],
    [(k: number) => `${base} QTY: ${k}`, 1],
    [(k: number) => `${base} quantity ${k}`, 1],
    [(k: number) => `1 prescription of ${base} #${k}`, 1],
    [(k: number) => `Retrospective request for ${base} #${k}`, 1],
    [(k: number) => `${base} #${k} with 2 refills`, 1],
  ] as const);
  const prefix = c.surgical && r.chance(0.15) ? 'Associated surgical service: ' : '';
  const build = (k: number): string => prefix + form(k);
  return {
    text: build(n),
    expected: {
      category: 'Pharmaceuticals',
      subcategory: drugClass,
      drug: drug.generic,
      bodyRegion: null,
    },
    short: drug.name.replace(/^Compounded cream: /, 'the compounded cream with '),
    topic: PHARMA_TOPICS[drugClass],
    count: n > 1 ? { n, build } : undefined,
  };
}

// ---------------------------------------------------------------------------------------------
// Everything else: one builder per kind of request, each naming what it must classify as.

interface Built {
  text: string;
  region: BodyRegion | null;
  short: string;
  count?: { n: number; build: (n: number) => string };
}

function kind(
  category: Category,
  subcategory: Subcategory | null,
  topic: (c: RequestContext) => Topic,
  build: (r: Random, c: RequestContext) => Built,
): Template {
  return (r, c) => {
    const b = build(r, c);
    return {
      text: b.text,
      expected: { category, subcategory, drug: null, bodyRegion: b.region },
      short: b.short,
      topic: topic(c),
      count: b.count,
    };
  };
}

const regionTopic =
  (section: string, odgTopic: string, fallback?: Topic) =>
  (c: RequestContext): Topic =>
    c.region.chapter === null && fallback !== undefined
      ? fallback
      : { mtus: 'region', section, odg: c.region.odg, odgTopic };

const chronic =
  (section: string, pages: string, odgTopic: string, odg = 'Pain (Chronic)') =>
  (): Topic => ({ mtus: 'chronic-pain', section, pages, odg, odgTopic });

/** "for the lumbar spine", "to the right knee", "right knee": the region as requests attach it. */
function at(r: Random, region: Region): string {
  return r.pick([`for the ${region.phrase}`, `to the ${region.phrase}`, `${region.phrase}`]);
}

function counted(n: number, build: (n: number) => string): Pick<Built, 'text' | 'count'> {
  return { text: build(n), count: { n, build } };
}

const prefixed = (r: Random, c: RequestContext): string =>
  c.surgical && r.chance(0.3) ? 'Associated surgical service: ' : '';

const DIAGNOSTIC: readonly (readonly [Template, number])[] = [
  [
    kind(
      'Diagnostic Testing',
      'Imaging/Radiology',
      regionTopic('Special Studies', 'MRIs (magnetic resonance imaging)'),
      (r, c) => ({
        text: r.pick([
          `MRI of the ${c.region.phrase}`,
          `MRI of the ${c.region.phrase} without contrast`,
          `Repeat MRI of the ${c.region.phrase}`,
          `MRI ${c.region.phrase} with and without contrast`,
        ]),
        region: c.region.name,
        short: 'the MRI',
      }),
    ),
    5,
  ],
  [
    kind(
      'Diagnostic Testing',
      'Imaging/Radiology',
      regionTopic('Special Studies', 'Radiography (x-rays)'),
      (r, c) => ({
        text: r.pick([
          `X-rays of the ${c.region.phrase}`,
          `X-ray ${c.region.phrase}, ${r.int(2, 4)} views`,
          `CT scan of the ${c.region.phrase}`,
          `Flexion and extension x-rays of the ${c.region.phrase}`,
          `Diagnostic ultrasound of the ${c.region.phrase}`,
          `Ultrasound of the ${c.region.phrase}`,
        ]),
        region: c.region.name,
        short: 'the imaging',
      }),
    ),
    2,
  ],
  [
    kind(
      'Diagnostic Testing',
      'EMG/NCV/NCS',
      regionTopic('Special Studies', 'Electrodiagnostic studies (EDS)'),
      (r, c) => {
        const limbs = isSpine(c.region) && c.region.name !== 'cervical spine' ? 'lower' : 'upper';
        const side = r.pick(['bilateral', 'right', 'left']);
        const limb = side === 'bilateral' ? `${limbs} extremities` : `${limbs} extremity`;
        return {
          text: r.pick([
            `EMG/NCV of the ${side} ${limb}`,
            `EMG/NCS ${side} ${limb}`,
            `Nerve conduction studies of the ${side} ${limb}`,
            `Electrodiagnostic studies of the ${side} ${limb}`,
            `Somatosensory evoked potentials of the ${side} ${limb}`,
          ]),
          region: limbs === 'lower' ? 'lower extremity' : 'upper extremity',
          short: 'the electrodiagnostic testing',
        };
      },
    ),
    3,
  ],
  [
    kind(
      'Diagnostic Testing',
      'Lab & Pathology',
      chronic('Drug testing', '43', 'Urine drug testing (UDT)'),
      (r, c) => ({
        text:
          prefixed(r, c) +
          r.pick([
            'Urine drug screen',
            'Random urine drug testing',
            'Urine toxicology screen, quantitative',
            'Comprehensive metabolic panel',
            'Labs: CBC and hepatic function panel',
            'Liver and renal function tests',
          ]),
        region: null,
        short: 'the testing',
      }),
    ),
    3,
  ],
  [
    kind(
      'Diagnostic Testing',
      'Other',
      () => ({ mtus: 'none', odg: 'Pain (Chronic)', odgTopic: 'Polysomnography' }),
      (r) => ({
        text: r.pick([
          'Sleep study',
          'Computerized range of motion testing',
          'Quantitative sensory testing',
          'Pulmonary function test',
          'Echocardiogram',
          'EEG',
          'Electroencephalogram with sleep deprivation',
          'Polysomnogram',
        ]),
        region: null,
        short: 'the study',
      }),
    ),
    1,
  ],
];

const REHABILITATION: readonly (readonly [Template, number])[] = [
  [
    kind(
      'Rehabilitation',
      'Physical/Occupational Therapy',
      chronic('Physical Medicine', '98-99', 'Physical therapy (PT)'),
      (r, c) => {
        const what = r.weighted([
          ['Physical therapy', 6],
          ['Additional physical therapy', 2],
          ['Post-operative physical therapy', 1],
          ['Occupational therapy', 1],
        ] as const);
        const where = at(r, c.region);
        const style = r.int(0, 3);
        const pre = prefixed(r, c);
        if (style === 0) {
          const times = r.int(1, 3);
          const weeks = r.pick([3, 4, 6]);
          return {
            text: `${pre}${what} ${times} times a week for ${weeks} weeks ${where}`,
            region: c.region.name,
            short: what.toLowerCase(),
          };
        }
        if (style === 1) {
          return {
            text: `${pre}${what} ${r.int(1, 3)}x${r.pick([4, 6])} ${where}`,
            region: c.region.name,
            short: what.toLowerCase(),
          };
        }
        return {
          ...counted(r.pick([6, 8, 12, 18]), (n) =>
            style === 2
              ? `${pre}${what} ${n} sessions ${where}`
              : `${pre}${what} x ${n} visits, ${c.region.phrase}`,
          ),
          region: c.region.name,
          short: what.toLowerCase(),
        };
      },
    ),
    11,
  ],
  [
    // Clinic modalities, which share their names with tests (ultrasound) and with units (TENS).
    kind(
      'Rehabilitation',
      'Physical/Occupational Therapy',
      chronic('Physical Medicine', '98-99', 'Ultrasound, therapeutic'),
      (r, c) => {
        const where = at(r, c.region);
        // Iontophoresis reaches superficial tendons, paraffin the hands and feet; not the spine.
        const form = r.pick([
          (n: number) => `Ultrasound therapy ${n} sessions ${where}`,
          (n: number) => `Therapeutic ultrasound x ${n} ${where}`,
          (n: number) => `Diathermy x ${n} ${where}`,
          ...(isSpine(c.region) ? [] : [(n: number) => `Iontophoresis ${n} sessions ${where}`]),
          ...(PARAFFIN_REGIONS.includes(c.region.name)
            ? [(n: number) => `Paraffin bath treatments ${n} sessions ${where}`]
            : []),
        ]);
        return {
          ...counted(r.pick([4, 6, 8]), form),
          region: c.region.name,
          short: 'the modality',
        };
      },
    ),
    2,
  ],
  [
    kind(
      'Rehabilitation',
      'Chiropractic',
      chronic('Manual therapy & manipulation', '58-60', 'Manipulation'),
      (r, c) => {
        const where = at(r, c.region);
        const form = r.pick([
          (n: number) => `Chiropractic treatment ${n} sessions ${where}`,
          (n: number) => `Chiropractic manipulation x ${n} ${where}`,
          (n: number) => `${n} chiropractic visits ${where}`,
        ]);
        return {
          ...counted(r.pick([6, 8, 12]), form),
          region: c.region.name,
          short: 'chiropractic care',
        };
      },
    ),
    3,
  ],
  [
    kind(
      'Rehabilitation',
      'Acupuncture',
      () => ({ mtus: 'acupuncture', odg: 'Pain (Chronic)', odgTopic: 'Acupuncture' }),
      (r, c) => {
        const where = at(r, c.region);
        const word = r.pick(['Acupuncture', 'Additional acupuncture', 'Electro-acupuncture']);
        return {
          ...counted(r.pick([6, 8, 12]), (n) => `${word} ${n} sessions ${where}`),
          region: c.region.name,
          short: 'acupuncture',
        };
      },
    ),
    4,
  ],
  [
    kind('Rehabilitation', 'Other', chronic('Aquatic therapy', '22', 'Aquatic therapy'), (r, c) =>
      r.chance(0.2)
        ? { text: `Biofeedback ${r.pick([4, 6])} sessions`, region: null, short: 'biofeedback' }
        : {
            text: r.pick([
              `Aquatic therapy ${r.pick([6, 8, 12])} sessions ${at(r, c.region)}`,
              `Pool therapy 2 times a week for 6 weeks ${at(r, c.region)}`,
              `Extracorporeal shockwave therapy x 3 ${at(r, c.region)}`,
            ]),
            region: c.region.name,
            short: 'the requested therapy',
          },
    ),
    1,
  ],
];

const DMEPOS: readonly (readonly [Template, number])[] = [
  [
    kind(
      'DMEPOS',
      'Electrical Stimulation',
      chronic(
        'TENS, chronic pain (transcutaneous electrical nerve stimulation)',
        '114-116',
        'TENS',
      ),
      (r, c) =>
        r.chance(0.2)
          ? {
              text: `TENS unit for home use, ${c.region.phrase}`,
              region: c.region.name,
              short: 'the TENS unit',
            }
          : {
              text: r.pick([
                'TENS unit, 30-day trial',
                'TENS unit purchase',
                'Purchase of an H-wave unit for home use',
                'Interferential unit rental for 60 days',
              ]),
              region: null,
              short: 'the stimulation unit',
            },
    ),
    3,
  ],
  [
    kind(
      'DMEPOS',
      'DME',
      regionTopic('Initial Care', 'Durable medical equipment (DME)'),
      (r, c) => ({
        text:
          prefixed(r, c) +
          r.pick([
            'Cold therapy unit rental for 7 days',
            'Hot/cold therapy unit',
            'Front-wheeled walker',
            'Single point cane',
            'Shower chair',
            'Home exercise kit',
            'Continuous passive motion device rental for 21 days',
            'Home modifications: wheelchair ramp and grab bars',
            'Vehicle modification with a wheelchair lift',
          ]),
        region: null,
        short: 'the equipment',
      }),
    ),
    3,
  ],
  [
    kind('DMEPOS', 'Prosthetics/Orthotics', regionTopic('Initial Care', 'Bracing'), (r, c) => {
      const brace: Record<string, string[]> = {
        'lumbar spine': ['Lumbar support brace', 'LSO back brace', 'Lumbar corset'],
        'cervical spine': ['Soft cervical collar'],
        'thoracic spine': ['Thoracolumbar brace'],
        knee: [`Hinged knee brace for the ${c.region.phrase}`, `Knee brace, ${c.region.phrase}`],
        wrist: [`Wrist splint for the ${c.region.phrase}`, `Night splint, ${c.region.phrase}`],
        hand: [`Thumb spica splint, ${c.region.phrase}`],
        elbow: [`Counterforce elbow brace, ${c.region.phrase}`],
        ankle: [`Ankle brace for the ${c.region.phrase}`],
        foot: ['Custom orthotics for both feet', 'Custom foot orthotics'],
      };
      const options = brace[c.region.name];
      if (options === undefined) {
        return { text: 'Custom foot orthotics', region: 'foot', short: 'the orthotics' };
      }
      return { text: r.pick(options), region: c.region.name, short: 'the brace' };
    }),
    2,
  ],
  [
    kind(
      'DMEPOS',
      'Supplies',
      chronic(
        'TENS, chronic pain (transcutaneous electrical nerve stimulation)',
        '114-116',
        'TENS',
      ),
      (r) => ({
        text: r.pick([
          'TENS unit supplies for 3 months',
          'Electrodes and batteries for the TENS unit',
          'Compression stockings',
          'Conductive garment',
        ]),
        region: null,
        short: 'the supplies',
      }),
    ),
    1,
  ],
];

const INJECTIONS: readonly (readonly [Template, number])[] = [
  [
    kind(
      'Injections',
      'Epidural',
      chronic(
        'Epidural steroid injections (ESIs)',
        '46',
        'Epidural steroid injections (ESIs)',
        'Low Back',
      ),
      (r, c) => {
        const cervical = c.region.name === 'cervical spine';
        const level = cervical
          ? r.pick(['C5-6', 'C6-7', 'C4-5'])
          : r.pick(['L4-5', 'L5-S1', 'L3-4']);
        const side = r.pick(['left', 'right', 'bilateral']);
        const spine = cervical ? 'Cervical' : 'Lumbar';
        return {
          text: r.pick([
            `${spine} epidural steroid injection at ${level}`,
            `Transforaminal epidural steroid injection, ${side} ${level}`,
            `${spine} interlaminar epidural steroid injection ${level} under fluoroscopic guidance`,
          ]),
          region: cervical ? 'cervical spine' : 'lumbar spine',
          short: 'the epidural injection',
        };
      },
    ),
    4,
  ],
  [
    kind(
      'Injections',
      'Facet',
      regionTopic('Initial Care', 'Facet joint diagnostic blocks'),
      (r, c) => {
        const cervical = c.region.name === 'cervical spine';
        const levels = cervical ? 'C4-5 and C5-6' : r.pick(['L4-5 and L5-S1', 'L3-4 and L4-5']);
        return {
          text: r.pick([
            `Bilateral ${levels} medial branch blocks`,
            `${cervical ? 'Cervical' : 'Lumbar'} facet injections at ${levels}`,
            `Radiofrequency ablation at ${levels}, bilateral`,
          ]),
          region: cervical ? 'cervical spine' : 'lumbar spine',
          short: 'the facet procedure',
        };
      },
    ),
    2,
  ],
  [
    kind(
      'Injections',
      'Trigger Point',
      chronic('Trigger point injections', '122', 'Trigger point injections'),
      (r, c) => {
        const where = at(r, c.region);
        return {
          ...counted(r.pick([2, 3, 4]), (n) => `Trigger point injections x ${n} ${where}`),
          region: c.region.name,
          short: 'the trigger point injections',
        };
      },
    ),
    2,
  ],
  [
    kind(
      'Injections',
      'Joint',
      regionTopic('Initial Care', 'Corticosteroid injections'),
      (r, c) => {
        // The injured joint when the letter is about one, else the joints injected most often.
        const joint = JOINTS.includes(c.region.name)
          ? c.region
          : r.pick([
              { name: 'knee', phrase: r.pick(['right knee', 'left knee']) },
              { name: 'shoulder', phrase: r.pick(['right shoulder', 'left shoulder']) },
            ] as const);
        return {
          text: r.pick([
            `Corticosteroid injection to the ${joint.phrase}`,
            `Synvisc injections x 3 to the ${joint.phrase}`,
            `Intra-articular steroid injection, ${joint.phrase}`,
            `Platelet-rich plasma injection to the ${joint.phrase}`,
            `Ultrasound-guided corticosteroid injection to the ${joint.phrase}`,
          ]),
          region: joint.name,
          short: 'the injection',
        };
      },
    ),
    2,
  ],
  [
    kind('Injections', 'Other', chronic('Injections', '39', 'Injections'), (r) => ({
      text: r.pick([
        'Toradol 60mg intramuscular injection',
        'Vitamin B12 injections x 4',
        'Stellate ganglion block',
        'Greater occipital nerve block',
        'Botox injections, 200 units',
        'Prolotherapy injections x 3',
      ]),
      region: null,
      short: 'the injection',
    })),
    1,
  ],
];

const SURGERY: readonly (readonly [Template, number])[] = [
  [
    kind('Surgery', 'Spine', regionTopic('Surgical Considerations', 'Fusion (spinal)'), (r, c) => {
      const cervical = c.region.name === 'cervical spine';
      return cervical
        ? {
            text: r.pick([
              'Anterior cervical discectomy and fusion at C5-6',
              'C5-6 and C6-7 anterior cervical discectomy and fusion',
              'Cervical laminoplasty C3-C6',
            ]),
            region: 'cervical spine',
            short: 'the cervical surgery',
          }
        : {
            text: r.pick([
              'L4-5 laminectomy and discectomy',
              'Lumbar microdiscectomy at L5-S1',
              'Posterior lumbar interbody fusion at L4-5',
              'Lumbar decompression and fusion L4-S1',
            ]),
            region: 'lumbar spine',
            short: 'the lumbar surgery',
          };
    }),
    2,
  ],
  [
    kind(
      'Surgery',
      'Arthroscopic',
      regionTopic('Surgical Considerations', 'Diagnostic arthroscopy'),
      (r) => {
        const side = r.pick(['Right', 'Left']);
        const knee = r.chance(0.5);
        return {
          text: knee
            ? r.pick([
                `${side} knee arthroscopy with partial meniscectomy`,
                `${side} knee arthroscopy and chondroplasty`,
              ])
            : r.pick([
                `${side} shoulder arthroscopy with subacromial decompression`,
                `Arthroscopic rotator cuff repair, ${side.toLowerCase()} shoulder`,
              ]),
          region: knee ? 'knee' : 'shoulder',
          short: 'the arthroscopy',
        };
      },
    ),
    2,
  ],
  [
    kind('Surgery', 'Non-arthroscopic', regionTopic('Surgical Considerations', 'Surgery'), (r) => {
      const side = r.pick(['Right', 'Left']);
      const [text, region] = r.pick([
        [`${side} carpal tunnel release`, 'wrist'],
        [`${side} cubital tunnel release`, 'elbow'],
        [`${side} trigger finger release`, 'hand'],
        [`${side} total knee replacement`, 'knee'],
        [`${side} total hip arthroplasty`, 'hip'],
      ] as const);
      return { text, region, short: 'the surgery' };
    }),
    2,
  ],
  [
    kind(
      'Surgery',
      'Adjunct',
      regionTopic('Surgical Considerations', 'Hospital length of stay (LOS)'),
      (r) => ({
        text: r.pick([
          'Associated surgical service: Assistant surgeon',
          'Associated surgical service: 2-day inpatient stay',
          'Associated surgical service: Inpatient hospital stay x 1 day',
        ]),
        region: null,
        short: 'the associated service',
      }),
    ),
    1,
  ],
  [
    kind(
      'Surgery',
      'Surgical Consult',
      regionTopic('Surgical Considerations', 'Office visits'),
      (r, c) =>
        isSpine(c.region) && r.chance(0.3)
          ? { text: 'Spine surgery consultation', region: null, short: 'the surgical consultation' }
          : {
              text: r.pick([
                `Orthopedic surgeon consultation for the ${c.region.phrase}`,
                `Consultation with an orthopedic surgeon, ${c.region.phrase}`,
              ]),
              region: c.region.name,
              short: 'the surgical consultation',
            },
    ),
    1,
  ],
];

const EVALUATION: Template = kind(
  'Evaluation & Management',
  null,
  () => ({ mtus: 'region', section: 'Referral', odg: 'Pain (Chronic)', odgTopic: 'Office visits' }),
  (r, c) => ({
    text:
      prefixed(r, c) !== ''
        ? 'Associated surgical service: Pre-operative medical clearance'
        : r.pick([
            'Follow-up visit with the primary treating physician',
            'Pain management consultation',
            'Functional capacity evaluation',
            'Neurology consultation',
            'Internal medicine consultation',
            `Follow-up visits x ${r.int(2, 6)}`,
            'Office visit for medication management',
          ]),
    region: null,
    short: 'the visit',
  }),
);

const PSYCH: Template = kind(
  'Psych Services',
  null,
  () => ({
    mtus: 'stress',
    section: 'Psychological treatment',
    odg: 'Mental Illness & Stress',
    odgTopic: 'Cognitive therapy for depression',
  }),
  (r) => {
    if (r.chance(0.35)) {
      const text = r.pick(['Psychological evaluation', 'Psychiatric consultation']);
      return { text, region: null, short: 'the evaluation' };
    }
    const form = r.pick([
      (n: number) => `Cognitive behavioral therapy ${n} sessions`,
      (n: number) => `Psychotherapy x ${n} sessions`,
      (n: number) => `Individual psychotherapy ${n} visits`,
    ]);
    return { ...counted(r.pick([4, 6, 8, 12]), form), region: null, short: 'psychotherapy' };
  },
);

const PROGRAMS: Template = kind(
  'Programs',
  null,
  chronic('Functional restoration programs (FRPs)', '30-34', 'Functional restoration programs'),
  (r) => ({
    text: r.pick([
      'Functional restoration program, 10 days',
      'Multidisciplinary evaluation for a functional restoration program',
      'Work hardening program 2 times a week for 4 weeks',
      'Chronic pain management program',
      'Gym membership for 6 months',
      'Weight loss program',
      'Partial hospitalization program, 20 days',
      'Day treatment program',
      'Outpatient detoxification program',
      'Smoking cessation program',
    ]),
    region: null,
    short: 'the program',
  }),
);

const HOME_HEALTH: Template = kind(
  'Home Health',
  null,
  chronic('Home health services', '51', 'Home health services'),
  (r) => ({
    text: r.pick([
      'Home health care 4 hours a day, 5 days a week for 6 weeks',
      'Home health aide 3 hours per day',
      'In-home care assistance 20 hours per week',
      'Skilled nursing visits x 4',
    ]),
    region: null,
    short: 'the home health services',
  }),
);

const TRANSPORTATION: Template = kind(
  'Transportation',
  null,
  () => ({
    mtus: 'none',
    odg: 'Knee & Leg',
    odgTopic: 'Transportation (to & from appointments)',
  }),
  (r) => ({
    text: r.pick([
      'Transportation to and from medical appointments',
      'Round-trip transportation to therapy visits',
      'Medical transportation x 12 trips',
      'Interpreter services for medical appointments',
      'Spanish interpreter for all medical visits',
    ]),
    region: null,
    short: 'the transportation',
  }),
);

const OTHER: Template = kind(
  'Other',
  null,
  () => ({ mtus: 'none', odg: 'Pain (Chronic)', odgTopic: 'Lifestyle interventions' }),
  (r) => ({
    text: r.pick([
      'Hyperbaric oxygen treatment',
      'Hyperbaric oxygen therapy, 20 sessions',
      'Service dog',
    ]),
    region: null,
    short: 'the request',
  }),
);

const fromList =
  (list: readonly (readonly [Template, number])[]): Template =>
  (r, c) =>
    r.weighted(list)(r, c);

/** Category shares of disputed items, close to the DWC's published figures (docs/DOMAIN.md). */
export const CATEGORY_WEIGHTS: readonly (readonly [Category, number])[] = [
  ['Pharmaceuticals', 40],
  ['Diagnostic Testing', 13],
  ['Rehabilitation', 11],
  ['DMEPOS', 9],
  ['Injections', 7],
  ['Surgery', 6],
  ['Evaluation & Management', 5],
  ['Psych Services', 3],
  ['Programs', 2],
  ['Other', 2],
  ['Home Health', 1.5],
  ['Transportation', 0.5],
];

const BY_CATEGORY: Readonly<Record<Category, Template>> = {
  Pharmaceuticals: pharmaceutical,
  'Diagnostic Testing': fromList(DIAGNOSTIC),
  Rehabilitation: fromList(REHABILITATION),
  DMEPOS: fromList(DMEPOS),
  Injections: fromList(INJECTIONS),
  Surgery: fromList(SURGERY),
  'Evaluation & Management': EVALUATION,
  'Psych Services': PSYCH,
  Programs: PROGRAMS,
  'Home Health': HOME_HEALTH,
  Transportation: TRANSPORTATION,
  Other: OTHER,
};

/** A request of the given category, about the letter's injured region where it names one. */
export function makeRequest(r: Random, category: Category, c: RequestContext): Request {
  return BY_CATEGORY[category](r, c);
}
