import { PHARMA_SUBCATEGORIES } from './vocabulary.ts';
import type { PharmaSubcategory } from './vocabulary.ts';

/** A drug recognised in a request: its canonical lower-case generic name and its class. */
export interface DrugMatch {
  drug: string;
  drugClass: PharmaSubcategory;
}

interface DrugEntry {
  /** Canonical name: lower-case generic; combinations list the opioid (or main) agent first. */
  readonly generic: string;
  /** Brand names and spellings seen in requests; the generic itself is always recognised too. */
  readonly names: readonly string[];
  /** Systemic through the skin (AndroGel, nicotine patch): a gel or patch is not a topical analgesic. */
  readonly systemic?: boolean;
  /** The bare name followed by "10/325"-style strength means the acetaminophen combination. */
  readonly withAcetaminophen?: string;
}

// Names common in California workers' compensation requests. Brands of the compounded oral
// suspensions (Deprizine, Fanatrex, Synapryn, Tabradol, Dicopanol) map to their active drug.
const DRUG_TABLE: Readonly<Record<PharmaSubcategory, readonly DrugEntry[]>> = {
  Opioids: [
    {
      generic: 'hydrocodone/acetaminophen',
      names: [
        'norco',
        'vicodin',
        'lortab',
        'lorcet',
        'xodol',
        'hycet',
        'zydone',
        'verdrocet',
        'hydrocodone apap',
        'hydrocodone bitartrate acetaminophen',
        'hydrocodone bitartrate apap',
      ],
    },
    {
      generic: 'hydrocodone',
      names: ['zohydro', 'hysingla', 'hydrocodone bitartrate', 'hydrocodone er'],
      withAcetaminophen: 'hydrocodone/acetaminophen',
    },
    { generic: 'hydrocodone/ibuprofen', names: ['vicoprofen', 'reprexain', 'ibudone'] },
    {
      generic: 'oxycodone/acetaminophen',
      names: ['percocet', 'endocet', 'roxicet', 'primlev', 'nalocet', 'xartemis', 'oxycodone apap'],
    },
    {
      generic: 'oxycodone',
      names: ['oxycontin', 'roxicodone', 'xtampza', 'oxaydo', 'oxecta', 'oxycodone hcl'],
      withAcetaminophen: 'oxycodone/acetaminophen',
    },
    {
      generic: 'tramadol',
      names: ['ultram', 'conzip', 'ryzolt', 'rybix', 'synapryn', 'tramadol hcl'],
      withAcetaminophen: 'tramadol/acetaminophen',
    },
    { generic: 'tramadol/acetaminophen', names: ['ultracet', 'tramadol apap'] },
    { generic: 'tapentadol', names: ['nucynta'] },
    {
      generic: 'morphine',
      names: ['ms contin', 'mscontin', 'kadian', 'avinza', 'embeda', 'arymo', 'morphabond'],
    },
    { generic: 'hydromorphone', names: ['dilaudid', 'exalgo'] },
    { generic: 'fentanyl', names: ['duragesic', 'actiq', 'fentora', 'subsys', 'abstral'] },
    { generic: 'methadone', names: ['dolophine', 'methadose'] },
    { generic: 'buprenorphine', names: ['butrans', 'belbuca', 'subutex'] },
    { generic: 'buprenorphine/naloxone', names: ['suboxone', 'zubsolv', 'bunavail'] },
    {
      generic: 'codeine/acetaminophen',
      names: [
        'tylenol 3',
        'tylenol 4',
        'tylenol no 3',
        'tylenol no 4',
        'tylenol with codeine',
        'acetaminophen codeine',
        'acetaminophen with codeine',
        'apap codeine',
      ],
    },
    { generic: 'codeine', names: [], withAcetaminophen: 'codeine/acetaminophen' },
    { generic: 'oxymorphone', names: ['opana'] },
    { generic: 'levorphanol', names: [] },
    { generic: 'meperidine', names: ['demerol'] },
    { generic: 'pentazocine', names: ['talwin'] },
    { generic: 'butorphanol', names: [] },
    { generic: 'dihydrocodeine/acetaminophen/caffeine', names: ['trezix', 'panlor', 'dvorah'] },
  ],
  NSAIDs: [
    {
      generic: 'naproxen',
      names: ['naprosyn', 'anaprox', 'naprelan', 'aleve', 'naproxen sodium', 'ec naprosyn'],
    },
    { generic: 'naproxen/esomeprazole', names: ['vimovo'] },
    { generic: 'ibuprofen', names: ['motrin', 'advil'] },
    { generic: 'ibuprofen/famotidine', names: ['duexis'] },
    { generic: 'meloxicam', names: ['mobic', 'vivlodex'] },
    {
      generic: 'diclofenac',
      names: [
        'voltaren',
        'cataflam',
        'zipsor',
        'cambia',
        'zorvolex',
        'arthrotec',
        'diclofenac sodium',
      ],
    },
    { generic: 'etodolac', names: ['lodine'] },
    { generic: 'celecoxib', names: ['celebrex'] },
    { generic: 'nabumetone', names: ['relafen'] },
    { generic: 'ketoprofen', names: [] },
    { generic: 'ketorolac', names: ['toradol', 'sprix'] },
    { generic: 'indomethacin', names: ['indocin', 'tivorbex'] },
    { generic: 'piroxicam', names: ['feldene'] },
    { generic: 'oxaprozin', names: ['daypro'] },
    { generic: 'diflunisal', names: ['dolobid'] },
    { generic: 'fenoprofen', names: ['nalfon'] },
    { generic: 'flurbiprofen', names: ['ansaid'] },
    { generic: 'sulindac', names: ['clinoril'] },
    { generic: 'salsalate', names: [] },
    { generic: 'mefenamic acid', names: ['ponstel'] },
    { generic: 'aspirin', names: ['ecotrin'] },
  ],
  'Muscle Relaxants': [
    { generic: 'cyclobenzaprine', names: ['flexeril', 'fexmid', 'amrix', 'tabradol'] },
    { generic: 'tizanidine', names: ['zanaflex'] },
    { generic: 'orphenadrine', names: ['norflex', 'norgesic'] },
    { generic: 'methocarbamol', names: ['robaxin'] },
    { generic: 'carisoprodol', names: ['soma'] },
    { generic: 'baclofen', names: ['lioresal', 'gablofen'] },
    { generic: 'metaxalone', names: ['skelaxin', 'metaxall'] },
    { generic: 'chlorzoxazone', names: ['parafon forte', 'parafon', 'lorzone'] },
    { generic: 'dantrolene', names: ['dantrium'] },
  ],
  'Topical Analgesics': [
    { generic: 'lidocaine', names: ['lidoderm', 'ztlido', 'xylocaine', 'lido'] },
    { generic: 'lidocaine/prilocaine', names: ['emla'] },
    // Products that only exist as topicals keep the generic of their oral namesake.
    { generic: 'diclofenac', names: ['flector', 'pennsaid', 'solaraze', 'voltaren gel'] },
    { generic: 'ketoprofen', names: ['ketophene'] },
    { generic: 'capsaicin', names: ['zostrix', 'qutenza', 'capzasin'] },
    {
      generic: 'methyl salicylate/menthol',
      names: [
        'bengay',
        'ben gay',
        'icy hot',
        'salonpas',
        'kera tek',
        'methyl salicylate',
        'mentoderm',
        'mentherm',
      ],
    },
    { generic: 'menthol', names: ['biofreeze'] },
    { generic: 'trolamine salicylate', names: ['aspercreme'] },
    { generic: 'methyl salicylate/capsaicin/menthol/lidocaine', names: ['terocin'] },
    { generic: 'capsaicin/lidocaine/menthol/methyl salicylate', names: ['lidopro'] },
    { generic: 'methyl salicylate/menthol/capsaicin', names: ['medrox', 'dendracin'] },
    { generic: 'flurbiprofen/cyclobenzaprine', names: ['flurflex'] },
  ],
  'Proton Pump Inhibitors': [
    { generic: 'omeprazole', names: ['prilosec', 'zegerid'] },
    { generic: 'pantoprazole', names: ['protonix'] },
    { generic: 'esomeprazole', names: ['nexium'] },
    { generic: 'lansoprazole', names: ['prevacid'] },
    { generic: 'rabeprazole', names: ['aciphex'] },
    { generic: 'dexlansoprazole', names: ['dexilant', 'kapidex'] },
  ],
  Antidepressants: [
    { generic: 'amitriptyline', names: ['elavil'] },
    { generic: 'nortriptyline', names: ['pamelor'] },
    { generic: 'doxepin', names: [] },
    { generic: 'imipramine', names: ['tofranil'] },
    { generic: 'desipramine', names: ['norpramin'] },
    { generic: 'duloxetine', names: ['cymbalta', 'drizalma'] },
    { generic: 'venlafaxine', names: ['effexor'] },
    { generic: 'desvenlafaxine', names: ['pristiq'] },
    { generic: 'milnacipran', names: ['savella'] },
    { generic: 'sertraline', names: ['zoloft'] },
    { generic: 'fluoxetine', names: ['prozac', 'sarafem'] },
    { generic: 'paroxetine', names: ['paxil', 'pexeva'] },
    { generic: 'citalopram', names: ['celexa'] },
    { generic: 'escitalopram', names: ['lexapro'] },
    { generic: 'fluvoxamine', names: ['luvox'] },
    { generic: 'bupropion', names: ['wellbutrin', 'zyban', 'aplenzin', 'forfivo'] },
    { generic: 'mirtazapine', names: ['remeron'] },
    // Classed by pharmacology, not indication: trazodone for sleep is still an antidepressant.
    { generic: 'trazodone', names: ['desyrel', 'oleptro'] },
    { generic: 'vilazodone', names: ['viibryd'] },
    { generic: 'vortioxetine', names: ['trintellix', 'brintellix'] },
    { generic: 'nefazodone', names: [] },
    { generic: 'esketamine', names: ['spravato'] },
  ],
  Anticonvulsants: [
    { generic: 'gabapentin', names: ['neurontin', 'gralise', 'horizant', 'fanatrex'] },
    { generic: 'pregabalin', names: ['lyrica'] },
    { generic: 'topiramate', names: ['topamax', 'trokendi', 'qudexy'] },
    { generic: 'carbamazepine', names: ['tegretol', 'carbatrol', 'equetro'] },
    { generic: 'oxcarbazepine', names: ['trileptal'] },
    { generic: 'lamotrigine', names: ['lamictal'] },
    { generic: 'levetiracetam', names: ['keppra'] },
    { generic: 'valproate', names: ['depakote', 'depakene', 'divalproex', 'valproic acid'] },
    { generic: 'zonisamide', names: ['zonegran'] },
    { generic: 'phenytoin', names: ['dilantin'] },
    { generic: 'lacosamide', names: ['vimpat'] },
    { generic: 'tiagabine', names: ['gabitril'] },
  ],
  'Sedative/Hypnotics': [
    { generic: 'zolpidem', names: ['ambien', 'edluar', 'intermezzo', 'zolpimist'] },
    { generic: 'eszopiclone', names: ['lunesta'] },
    { generic: 'zaleplon', names: ['sonata'] },
    { generic: 'suvorexant', names: ['belsomra'] },
    { generic: 'ramelteon', names: ['rozerem'] },
    // Low-dose doxepin is marketed for insomnia only under this brand.
    { generic: 'doxepin', names: ['silenor'] },
    // Requested in these letters as a sleep aid (Dicopanol), not for allergy.
    { generic: 'diphenhydramine', names: ['dicopanol', 'benadryl'] },
    { generic: 'melatonin', names: [] },
  ],
  Benzodiazepines: [
    { generic: 'diazepam', names: ['valium'] },
    { generic: 'alprazolam', names: ['xanax'] },
    { generic: 'lorazepam', names: ['ativan'] },
    { generic: 'clonazepam', names: ['klonopin'] },
    { generic: 'temazepam', names: ['restoril'] },
    { generic: 'triazolam', names: ['halcion'] },
    { generic: 'chlordiazepoxide', names: ['librium'] },
    { generic: 'oxazepam', names: ['serax'] },
    { generic: 'estazolam', names: ['prosom'] },
    { generic: 'flurazepam', names: ['dalmane'] },
    { generic: 'clorazepate', names: ['tranxene'] },
    { generic: 'quazepam', names: ['doral'] },
  ],
  Other: [
    { generic: 'famotidine', names: ['pepcid'] },
    { generic: 'ranitidine', names: ['zantac', 'deprizine'] },
    { generic: 'cimetidine', names: ['tagamet'] },
    { generic: 'sucralfate', names: ['carafate'] },
    { generic: 'misoprostol', names: ['cytotec'] },
    { generic: 'ondansetron', names: ['zofran'] },
    { generic: 'promethazine', names: ['phenergan'] },
    { generic: 'metoclopramide', names: ['reglan'] },
    { generic: 'docusate', names: ['colace'] },
    { generic: 'sennosides', names: ['senna', 'senokot'] },
    { generic: 'bisacodyl', names: ['dulcolax'] },
    { generic: 'polyethylene glycol', names: ['miralax'] },
    { generic: 'lactulose', names: [] },
    { generic: 'lubiprostone', names: ['amitiza'] },
    { generic: 'naloxegol', names: ['movantik'] },
    { generic: 'methylnaltrexone', names: ['relistor'] },
    { generic: 'naloxone', names: ['narcan', 'evzio'] },
    { generic: 'naltrexone', names: ['vivitrol'] },
    { generic: 'methylprednisolone', names: ['medrol', 'depo medrol'] },
    { generic: 'prednisone', names: [] },
    { generic: 'dexamethasone', names: ['decadron'] },
    { generic: 'acetaminophen', names: ['tylenol', 'apap'] },
    // Barbiturate combinations for headache: analgesic use, not sleep.
    { generic: 'butalbital/acetaminophen/caffeine', names: ['fioricet', 'esgic'] },
    { generic: 'sumatriptan', names: ['imitrex'] },
    { generic: 'rizatriptan', names: ['maxalt'] },
    { generic: 'hydroxyzine', names: ['vistaril', 'atarax'] },
    { generic: 'cyproheptadine', names: [] },
    { generic: 'testosterone', names: ['androgel', 'testim', 'axiron'], systemic: true },
    { generic: 'nicotine', names: ['nicoderm', 'nicotrol'], systemic: true },
    { generic: 'clonidine', names: ['catapres'], systemic: true },
    { generic: 'sildenafil', names: ['viagra'] },
    { generic: 'tadalafil', names: ['cialis'] },
    { generic: 'modafinil', names: ['provigil'] },
    { generic: 'armodafinil', names: ['nuvigil'] },
    { generic: 'vitamin', names: ['vitamins', 'multivitamin'] },
    { generic: 'vitamin d', names: ['ergocalciferol', 'cholecalciferol'] },
    { generic: 'vitamin b12', names: ['b12', 'cyanocobalamin'] },
    { generic: 'glucosamine', names: ['cosamin', 'glucosamine chondroitin'] },
    { generic: 'omega-3 fatty acids', names: ['omega 3', 'fish oil', 'lovaza'] },
    { generic: 'calcium', names: ['calcium carbonate', 'calcium citrate', 'caltrate', 'os cal'] },
    { generic: 'l-methylfolate', names: ['deplin'] },
    { generic: 'dronabinol', names: ['marinol'] },
    { generic: 'varenicline', names: ['chantix'] },
    { generic: 'theramine', names: [] },
    { generic: 'sentra', names: ['sentra am', 'sentra pm'] },
    { generic: 'gabadone', names: [] },
    { generic: 'trepadone', names: [] },
    { generic: 'percura', names: [] },
    { generic: 'apptrim', names: [] },
    { generic: 'dextromethorphan', names: [] },
    { generic: 'ketamine', names: [] },
    { generic: 'bupivacaine', names: ['marcaine'] },
    { generic: 'cephalexin', names: ['keflex'] },
    { generic: 'amoxicillin/clavulanate', names: ['augmentin'] },
    { generic: 'ciprofloxacin', names: ['cipro'] },
    { generic: 'enoxaparin', names: ['lovenox'] },
    { generic: 'rivaroxaban', names: ['xarelto'] },
    { generic: 'warfarin', names: ['coumadin'] },
    { generic: 'metformin', names: ['glucophage'] },
    { generic: 'lisinopril', names: ['prinivil', 'zestril'] },
    { generic: 'acetaminophen/aspirin/caffeine', names: ['excedrin'] },
    { generic: 'aripiprazole', names: ['abilify'] },
    { generic: 'quetiapine', names: ['seroquel'] },
    { generic: 'risperidone', names: ['risperdal'] },
    { generic: 'lithium', names: ['lithobid'] },
    { generic: 'buspirone', names: ['buspar'] },
    { generic: 'prazosin', names: ['minipress'] },
    { generic: 'propranolol', names: ['inderal'] },
    { generic: 'amphetamine', names: ['adderall'] },
    { generic: 'methylphenidate', names: ['ritalin', 'concerta'] },
    { generic: 'linaclotide', names: ['linzess'] },
  ],
};

interface Candidate {
  readonly rest: readonly string[];
  readonly entry: DrugEntry;
  readonly drugClass: PharmaSubcategory;
}

// Tokens are runs of letters or of digits, so "Norco10/325" and "hydrocodone-APAP" tokenise the
// same way as the table's "norco" and "hydrocodone apap", and no per-name regex is needed.
const TOKEN = /[a-z]+|[0-9]+/g;

function tokenise(text: string): string[] {
  return text.toLowerCase().match(TOKEN) ?? [];
}

/** Every name in the table keyed by its first token, longest name first (leftmost-longest match). */
const CANDIDATES: ReadonlyMap<string, readonly Candidate[]> = buildIndex();

function buildIndex(): Map<string, Candidate[]> {
  const index = new Map<string, Candidate[]>();
  const owners = new Map<string, string>();
  const add = (name: string, entry: DrugEntry, drugClass: PharmaSubcategory): void => {
    const [first, ...rest] = tokenise(name);
    if (first === undefined) return;
    const key = [first, ...rest].join(' ');
    const owner = owners.get(key);
    // A generic may head entries in two classes (diclofenac: oral NSAID, Flector patch), but a
    // spelling that points at two different drugs is a table error worth failing loudly on.
    if (owner !== undefined) {
      if (name === entry.generic) return;
      throw new Error(`drug name "${name}" listed under both ${owner} and ${entry.generic}`);
    }
    owners.set(key, entry.generic);
    const list = index.get(first) ?? [];
    list.push({ rest, entry, drugClass });
    index.set(first, list);
  };
  for (const drugClass of PHARMA_SUBCATEGORIES) {
    for (const entry of DRUG_TABLE[drugClass]) {
      for (const name of entry.names) add(name, entry, drugClass);
    }
  }
  // Generics go in last so that a brand spelled like a generic keeps its own entry.
  for (const drugClass of PHARMA_SUBCATEGORIES) {
    for (const entry of DRUG_TABLE[drugClass]) add(entry.generic, entry, drugClass);
  }
  for (const list of index.values()) list.sort((a, b) => b.rest.length - a.rest.length);
  return index;
}

// A cream, gel, patch or a strength in percent turns NSAIDs, muscle relaxants, gabapentin and the
// like into a (usually compounded) topical analgesic, the class the MTUS reviews them under.
const TOPICAL_FORM =
  /\b(?:creams?|gels?|ointments?|lotions?|patch(?:es)?|transdermal|topical(?:ly)?|compound(?:ed)?|liniment|balm|roll-?on|lipoderm)\b|\d\s*%|\bpercent\b/i;

const COMPOUNDED_FORM =
  /\b(?:creams?|gels?|ointments?|lotions?|compound(?:ed)?|liniment|balm|roll-?on|lipoderm)\b|\d\s*%/i;

// Strength after the bare name, e.g. "Hydrocodone 10/325mg": the second number is acetaminophen.
const ACETAMINOPHEN_STRENGTH =
  /(?:[\s,]*(?:hcl|hydrochloride|bitartrate|er|ir|tabs?|tablets?))*[\s,(]*\d+(?:\.\d+)?\s*(?:mg)?\s*[/-]\s*(?:300|325|500|650|750)(?!\d)/iy;

/** Like `lookupDrug`, plus the character offset where the drug name starts. */
export function locateDrug(text: string): (DrugMatch & { start: number }) | null {
  const lower = text.toLowerCase();
  const tokens: string[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(lower); m !== null; m = TOKEN.exec(lower)) {
    tokens.push(m[0]);
    starts.push(m.index);
    ends.push(m.index + m[0].length);
  }
  for (let i = 0; i < tokens.length; i++) {
    const candidates = CANDIDATES.get(tokens[i] ?? '');
    if (candidates === undefined) continue;
    for (const { rest, entry, drugClass } of candidates) {
      if (!rest.every((token, k) => tokens[i + 1 + k] === token)) continue;
      return {
        ...resolve(text, entry, drugClass, ends[i + rest.length] ?? text.length),
        start: starts[i] ?? 0,
      };
    }
  }
  return null;
}

function resolve(
  text: string,
  entry: DrugEntry,
  drugClass: PharmaSubcategory,
  end: number,
): DrugMatch {
  let drug = entry.generic;
  if (entry.withAcetaminophen !== undefined) {
    ACETAMINOPHEN_STRENGTH.lastIndex = end;
    if (ACETAMINOPHEN_STRENGTH.test(text)) drug = entry.withAcetaminophen;
  }
  // An opioid patch is systemic (Butrans, Duragesic); an opioid in a compounded cream is not.
  const keepsClass =
    entry.systemic === true || (drugClass === 'Opioids' && !COMPOUNDED_FORM.test(text));
  if (!keepsClass && TOPICAL_FORM.test(text)) return { drug, drugClass: 'Topical Analgesics' };
  return { drug, drugClass };
}

/** First drug named in a request (brand or generic), as its canonical generic name and class. */
export function lookupDrug(text: string): DrugMatch | null {
  const found = locateDrug(text);
  return found === null ? null : { drug: found.drug, drugClass: found.drugClass };
}

/** Every name the table recognises, lower-case (for tests and documentation). */
export function knownDrugNames(): string[] {
  return Object.values(DRUG_TABLE).flatMap((entries) =>
    entries.flatMap((entry) => [entry.generic, ...entry.names]),
  );
}

/** Every canonical generic name a recognised drug is recorded under (the values of `drug`). */
export function canonicalDrugNames(): ReadonlySet<string> {
  const out = new Set<string>();
  for (const entries of Object.values(DRUG_TABLE)) {
    for (const entry of entries) {
      out.add(entry.generic);
      if (entry.withAcetaminophen !== undefined) out.add(entry.withAcetaminophen);
    }
  }
  return out;
}
