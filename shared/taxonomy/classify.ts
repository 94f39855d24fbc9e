import { locateDrug } from './drugs.ts';
import type { Category, Subcategory, SubcategoryOf } from './vocabulary.ts';

/** What a disputed item is, in the DWC's categories, plus the details worth counting. */
export interface RequestClassification {
  category: Category;
  subcategory: Subcategory | null;
  /** Canonical generic name when a drug is recognised (see drugs.ts), else null. */
  drug: string | null;
  /** First body region mentioned, from the fixed list in `BODY_REGIONS`. */
  bodyRegion: BodyRegion | null;
  /** Every body region mentioned, in order of first mention ("neck, back and left shoulder"). */
  bodyRegions: BodyRegion[];
  /** Count as a bare decimal string ("60", "6", "12-18"); the unit follows from the category. */
  quantity: string | null;
  /** Frequency as written, lower-cased with whitespace collapsed ("2 times a week for 4 weeks"). */
  frequency: string | null;
}

interface Rule {
  readonly category: Category;
  readonly subcategory: Subcategory | null;
  readonly pattern: RegExp;
}

function rule<C extends Category>(
  category: C,
  subcategory: SubcategoryOf<C> | null,
  pattern: RegExp,
): Rule {
  return { category, subcategory, pattern };
}

// Each rule is a keyword pattern. The rule whose keyword appears EARLIEST in the request wins,
// because requests lead with the thing asked for ("Knee arthroscopy with post-op therapy",
// "Physical therapy after arthroscopy", "Acupuncture with capsaicin patch"); on a tie the
// rule listed first wins. Patterns use only non-capturing groups (checked in `union`).
const STRONG_RULES: readonly Rule[] = [
  rule(
    'Programs',
    null,
    /functional restoration|\bFRP\b|work (?:hardening|conditioning)|(?:(?:psychiatric|psychological|behaviou?ral(?: health)?)\s+)?partial hospitali[sz]ation|\bPHP\b|day (?:treatment|hospital|rehabilitation) program|day treatment|intensive outpatient|\bIOP\b|residential (?:treatment|rehab\w*)|(?:alcohol|drug|substance(?: abuse)?|chemical dependency|addiction)\s+(?:\w+\s+){0,2}?(?:rehab\w*|treatment program|program)|(?:smoking|tobacco) cessation|weight watchers|medically supervised weight loss|\b(?:chronic )?pain (?:management |rehabilitation )?program|\bHELP program|(?:multi|inter)disciplinary|\bdetox\w*|weight (?:loss|reduction|management) program|\bgym\b|\bmembership\b|\bYMCA\b/,
  ),
  rule(
    'Psych Services',
    null,
    /psych\w*|cognitive (?:behaviou?ral|therap\w*)|\bCBT\b|(?<!(?:nutrition(?:al)?|diet(?:ary)?|dietitian|genetic)\s)counsel+ing|(?:depression|anxiety|PTSD|insomnia)\s+(?:treatment|therapy|management)|coping skills|sleep hygiene|transcranial magnetic|\br?TMS\b|electroconvulsive|\bECT\b|mental health|behaviou?ral (?:health|medicine|therapy|pain)|hypnotherap\w*|relaxation training|group (?:psycho)?therap\w*|\bEMDR\b|stress management|(?:marriage|marital|family|couples?)\b[^.;]{0,12}?(?:therap\w*|counsel\w*)/,
  ),
  rule(
    'Surgery',
    'Surgical Consult',
    /(?:\b(?:spine|spinal|orthop\w*|hand|foot|neuro)\s+)?(?:\bsurg(?:ery|ical|eon)s?|neurosurg\w*)\s+(?:\w+\s+){0,2}?(?:consult\w*|evaluation|eval|referral|opinion|visit|follow[- ]?up|assessment)|(?:consult\w*|evaluation|\beval|referral|opinion|assessment|follow[- ]?up)\b(?:\s+\S+){0,5}?\s+(?:surg(?:ery|ical|eon)s?\b|neurosurg\w*|orthop\w*|(?:replacement|spine|joint) (?:specialist|surgeon))|\borthop\w*\s+(?:surg\w*\s+)?(?:consult\w*|evaluation|eval|referral|opinion|follow[- ]?up|visit)/,
  ),
  rule(
    'Surgery',
    'Adjunct',
    /assistant (?:surgeon|PA)\b|\bPA assist\w*|surgical assist\w*|\bco-?surgeon|\banesthe\w*|\banaesthe\w*|\b(?:IV |conscious |moderate )?sedation\b|inpatient (?:stay|admission|hospital\w*|days?|care)|hospital (?:stay|admission|days?)|(?:length of|overnight) stay|\b(?:\d+|one|two|three)[- ]days? (?:inpatient|hospital)|surgery center|ambulatory surgical|DVT prophylaxis|intra-?operative (?:neuro\w* )?monitoring|neuro-?monitoring|\bIONM\b/,
  ),
  rule('Surgery', 'Arthroscopic', /arthroscop\w*|\bscope\b/),
  rule(
    'Surgery',
    'Spine',
    /(?<!\b(?:wrist|ankle|MTP|subtalar|triple|thumb|finger|toe|elbow|CMC|midfoot|hindfoot|interphalangeal|DIP|PIP|IP)\s+)\bfusion|(?<!\b(?:wrist|ankle|MTP|subtalar|triple|thumb|finger|toe|elbow|CMC|midfoot|hindfoot|interphalangeal|DIP|PIP|IP)\s+)arthrodesis|spinal instrumentation|pedicle screws?|interspinous|\bcoflex\b|\bx-?stop\b|minimally invasive lumbar decompression|(?:hemi)?laminectomy|laminotomy|laminoplasty|(?:micro)?dis[ck]ectomy|foraminotomy|corpectomy|kyphoplasty|vertebroplasty|\b(?:ACDF|TLIF|PLIF|ALIF|XLIF|OLIF|LLIF|MLD)\b|dis[ck] (?:replacement|arthroplasty)|spinal cord stimulat\w*|\bSCS\b|dorsal column stimulat\w*|intrathecal (?:pump|drug delivery)|\b(?:spine|spinal|back|neck) surgery|(?:\b(?:lumbar|cervical|thoracic|spinal|spine)\b|\b[LCT]\d)[^.;:]{0,15}?decompression(?!\s*therap)|decompression(?!\s*therap)[^.;:]{0,40}?\b(?:lumbar|cervical|thoracic|spine|spinal|[LCT]\d)/,
  ),
  rule(
    'Surgery',
    'Non-arthroscopic',
    /manipulation under (?:general )?anesthesia|\bMUA\b|\bfusion|arthrodesis|\b(?:TKA|TKR|THA|THR|TSA|rTSA|UKA|CTR)\b|scar revision|trigger thumb|(?:carpal|cubital|tarsal) tunnel (?:release|decompression|surgery)|(?:trigger finger|de quervain'?s?|tendon|nerve|lateral|capsular|contracture|plantar fascia|fascia|tunnel|pulley)\s+release|\brelease of\b|\bORIF\b|open reduction|internal fixation|\brepair\b|(?:knee|hip|shoulder|joint|elbow|ankle|wrist)\s+(?!prosthe)(?:\w+\s+)?replacement|(?<!dis[ck] )arthroplasty|reconstruction|osteotomy|tenotomy|tenodesis|fasciotomy|fasciectomy|excision|resection|hardware removal|removal of (?:[\w-]+\s+){0,2}?(?:hardware|implants?|plates?|screws?)|amputation|neuroplasty|neurolysis|neurectomy|transposition|debridement|synovectomy|meniscectomy|bunionectomy|ganglion cyst|ganglionectomy|capsulotomy|acromioplasty|decompression(?!\s*therap)|\bMumford\b|\bsurgery\b|\bsurgical (?:procedure|intervention|treatment)|\boperation\b|\bimplant(?:ation)?\b|\bhernia/,
  ),
  rule(
    'Injections',
    'Epidural',
    /epidural|epidurogra\w*|epiduroscop\w*|percutaneous adhesiolysis|\bRacz\b|\b(?:TF|C|L|T|IL)?ESIs?\b|transforaminal|interlaminar|caudal (?:injection|block|steroid)|(?:selective )?nerve root (?:block|injection)s?|\bSNRBs?\b/,
  ),
  rule(
    'Injections',
    'Facet',
    /facet|medial branch|\bMBBs?\b|radio-?frequency(?![^.;]*genicular)|\bRFA\b(?![^.;]*genicular)|rhizotomy|neurotomy|\bRF (?:ablation|lesioning)|zygapophys\w*/,
  ),
  rule('Injections', 'Trigger Point', /trigger[- ]?points?\s+(?:\w+\s+)?injections?|\bTPIs?\b/),
  rule(
    'Injections',
    'Joint',
    /intra-?articular(?![^.;]*\bfacet)|viscosupplement\w*|synvisc|hyalgan|orthovisc|euflexxa|supartz|gel-?one|monovisc|durolane|genvisc|hyaluron\w*/,
  ),
  // A bare injection or block is refined to Joint when a joint is named (see JOINT).
  rule(
    'Injections',
    'Other',
    /genicular[^.;]*?(?:blocks?|ablation|radio-?frequency|\bRFA\b|neurotomy|injections?)|radio-?frequency (?:ablation|neurotomy|lesioning)(?=[^.;]*genicular)|platelet[- ]rich plasma|\bPRP\b|prolotherapy|botox|botulinum|stem cells?|\bIM\b|intramuscular|perineural|\bIDET\b|intradiscal|annuloplasty|nucleoplasty|aspiration|arthrocentesis|\bCSIs?\b|inject\w*|\binfusions?\b|\b(?:nerve|ganglion|plexus|occipital|suprascapular|genicular|pudendal|intercostal|sympathetic) blocks?\b|\bblocks?\b|\bshots?\b/,
  ),
  // Ultrasound given in sessions is a therapy modality; "of the", "guided" or a study is imaging.
  // Stimulation given in sessions is therapy too; a TENS or interferential unit is equipment.
  rule(
    'Rehabilitation',
    'Physical/Occupational Therapy',
    /(?:ultrasound(?![- ]?(?:guid|of\b|stud|exam|evaluation))|(?:\bTENS|interferential|\bIFC?|\bNMES|\bEMS)\b(?![^.;]*\b(?:unit|device|machine|supplies|electrodes|patches|pads)\b))(?=(?:(?!\bof\b)[^.;])*?(?:\b\d+\s*(?:sessions?|visits?|treatments?)\b|\bx\s*\d|\b\d\s*x\s*\d|\btimes (?:a|per) week))/,
  ),
  rule(
    'Diagnostic Testing',
    'Other',
    /\bEKGs?\b|\bECGs?\b|electrocardiogra\w*|echocardiogra\w*|sleep stud\w*|polysomnogra\w*|(?:home )?sleep apnea test\w*|\bMSLT\b|\b(?:q|video )?EEGs?\b|electroencephalogra\w*|spirometr\w*|endoscopy\b|colonoscopy|\bEGD\b|allergy test\w*|stress test|pulmonary function|\bPFTs?\b|audiogra\w*|hearing (?:test|evaluation)|vestibular test\w*|\bVNG\b|videonystagmo\w*|holter|tilt table|quantitative sensory|\bQST\b|sudomotor|\bQSART\b|thermogra\w*|impedance imaging|\bTPII\b|range of motion (?:of )?test\w*|\bROM test\w*|grip (?:strength )?test\w*|\bJamar\b|computeri[sz]ed (?:range|muscle|strength|ROM)|muscle (?:strength )?testing|nerve fib(?:er|re) density|autonomic test\w*/,
  ),
  rule(
    'Diagnostic Testing',
    'Imaging/Radiology',
    /\bMRIs?\b|\bMRA\b|\bMR arthrogra\w*|magnetic resonance|\bCT\b|\bCAT scan|computed tomogra\w*|\bx-?rays?\b|radiograph\w*|bone scan|(?<!therapeutic )ultrasound(?![- ]?(?:guid\w*|therap\w*|(?:home )?(?:unit|machine|device)))|sonogra\w*|arthrogra\w*|myelogra\w*|discogra\w*|\bDEXA\b|bone densit\w*|\bPET\b|scintigra\w*|doppler|duplex|\bimaging\b|\bscans?\b/,
  ),
  rule(
    'Diagnostic Testing',
    'EMG/NCV/NCS',
    /\bEMGs?\b|\bNCVs?\b|\bNCSs?\b|nerve conduction|electrodiagnos\w*|electromyogra\w*|\bSSEPs?\b|evoked (?:potentials?|responses?)|\bBAERs?\b|\bVEPs?\b|\bEDX\b|\bH-?reflex\w*|\bF-?waves?\b/,
  ),
  rule(
    'Diagnostic Testing',
    'Lab & Pathology',
    /urine (?:drug )?(?:screen|test|toxicology|analysis)\w*|urinalysis|\bUDS\b|\bUDT\b|drug (?:screen|test|panel)\w*|antibod\w*|\bHIV\b|hepatitis|toxicology(?!\s+consult)|\blabs?\b|laborator\w*|\bCBC\b|\bBMP\b|\bCMP\b|chem(?:istry)? (?:panel|profile)|metabolic panel|blood (?:test|work|draw|panel|level)\w*|bloodwork|\bPT\/PTT\b|\bPTT\b|\bINR\b|\bUA\b|liver function|\bLFTs?\b|renal (?:function|panel)|hepatic (?:function|panel)|patholog\w*|biops\w*|genetic test\w*|\bDNA\b|pharmacogen\w*|\bCYP ?450\b|cytokine|\bserum\b|\bA1c\b|hemoglobin|\bculture\b|lipid (?:panel|profile)|\bTSH\b|thyroid (?:panel|function)|\bESR\b|sed(?:imentation)? rate|\bCRP\b|C-reactive|rheumatoid (?:factor|panel)|\bANA\b|\bHLA-?B27\b|\bPSA\b|(?:vitamin \w+|B12|testosterone|ferritin|drug|medication|serum|blood|hormone|magnesium|potassium|iron|folate)\s+levels?\b/,
  ),
  // Consumables named after their unit ("TENS unit supplies") are supplies, not another unit.
  rule(
    'DMEPOS',
    'Supplies',
    /(?:\bTENS|\bH-?wave|\bIF|interferential|\bEMS|\bNMES|\bstim(?:ulator)?|\bC?PAP|\bBiPAP)(?:\s+(?:unit|machine))?\s+(?:supplies|electrodes?|batter(?:y|ies)|patches|pads|lead ?wires?|conductive garment)/,
  ),
  // Units are DMEPOS; the same modality given as sessions in a clinic is therapy (below).
  rule(
    'DMEPOS',
    'Electrical Stimulation',
    /\bTENS\b|\bH-?wave\b|interferential|\bIF unit|\bIFC\b|\bEMS\b|\bNMES\b|\bRS-?4i\b|\bstim(?:ulator)? unit|(?:electrical|electric|muscle|neuromuscular|galvanic)\s+stim\w*(?=[^.;]*\b(?:unit|device|machine|purchase|rental|rent|home use|supplies)\b)|bone (?:growth )?stimulat\w*|exogen|\bstimulator\b/,
  ),
  rule(
    'DMEPOS',
    'Prosthetics/Orthotics',
    /\bbraces?\b|\bbracing\b|orthotics?|orthos[ei]s|\bsplints?\b|splinting|insoles?|(?:shoe|heel) (?:inserts?|lifts?|cups?)|arch supports?|\bcollar\b|(?:back|lumbar|lumbosacral|sacroiliac|SI|abdominal|wrist|knee|ankle|elbow|thumb) (?:support|belt|binder|brace|corset)s?(?!\s+(?:cushion|pillow))|\bLSO\b|\bTLSO\b|corset|prosthe\w*|orthopedic shoes?|custom (?:shoes|footwear)|(?:walking|CAM|fracture|post-?op) (?:boot|shoe|walker)s?|\bboot\b|\bshoes?\b(?!\s*horn)|\b(?:K?AFO|TLSO)s?\b|immobili[sz]er|(?:elbow|patellar|knee|wrist|counterforce|tennis elbow) straps?/,
  ),
  rule(
    'DMEPOS',
    'DME',
    /(?:hot|cold|heat(?:ing)?|ice|thermal|cryo)(?:\s*(?:\/|and|&|-)\s*(?:hot|cold|heat|ice))?(?:\s+therapy)?\s+(?:wrap|pad|unit|machine|device|system|pack)s?\b(?!\s+therapy)|\bcold therapy\b|contrast therapy (?:unit|system|device)|cryotherapy (?:unit|machine|device|system)|(?:paraffin(?: bath)?|ultrasound|diathermy|infrared) (?:unit|machine|device)|home paraffin|\bC?PAP (?:machine|unit|device)|\bCPAP\b|\bBiPAP\b|van conversion|(?:adaptive )?driving (?:equipment|aids?|controls)|adaptive equipment|\bgame ?ready\b|vascutherm|polar ?care|\biceman\b|cold compression|continuous passive motion|\bCPM\b|\bcanes?\b|\bwalkers?\b|cushions?|theracane|foam roller|pedal exerciser|sock aid|dressing aid|long[- ]handled|shoe ?horn|home (?:\w+ )?traction|rollators?|wheel ?chairs?(?!\s+(?:van|transport\w*|taxi))|scooters?|transfer (?:bench|board)|Hoyer|patient lift|lift chair|(?:home|vehicle|van|car|bathroom|house)\s+(?:modifications?|adaptations?)|hand controls|walk-in (?:shower|tub)|(?:pneumatic|sequential) compression (?:device|pump|unit)s?|compression pump|(?:shower|bath|tub)\S*\s+(?:chair|bench|seat)s?|commodes?|hospital bed|\bbeds?\b|mattress\w*|pillows?|crutch\w*|\bslings?\b|ultrasling|reachers?|grabbers?|toilet seat|grab bars?|home exercise (?:kit|equipment)|exercise (?:equipment|ball|bike|bicycle)|treadmill|stationary bike|recumbent|thera-?bands?|resistance bands?|traction (?:unit|device|machine)|home traction|inversion table|hot tub|jacuzzi|sauna|hearing aids?|eye ?glasses|dentures?|sit[- ]stand|workstation|ergonomic\w*|\bchairs?\b|keyboard|\bdesk\b|stair ?lift|\bramp\b|\bDME\b|durable medical equipment|massager|massage (?:chair|device)/,
  ),
  rule(
    'DMEPOS',
    'Supplies',
    /\bsupplies\b|(?:TENS|electrode|medical|wound|DME|unit) supply|electrodes?|batter(?:y|ies)|lead ?wires?|\bgloves?\b|\bwipes\b|dressings?|bandages?|gauze|catheters?|ostomy|diapers?|incontinence|\bbriefs\b|underpads?|\bchux\b|syringes?|\bneedles\b|test strips|lancets|compression (?:stockings?|garments?|sleeves?|socks?|hose|wraps?)|\b(?:leg|calf|foot|knee|shoulder|hip|back) (?:wraps?|pads?|sleeves?)|\bwraps?\b|\bpads?\b|conductive garment|kinesio-? ?tape/,
  ),
  rule(
    'Rehabilitation',
    'Chiropractic',
    /chiro\w*|manipulat\w*|\bCMT\b|\bOMT\b|osteopathic|spinal adjust\w*|\badjustments?\b/,
  ),
  rule(
    'Rehabilitation',
    'Acupuncture',
    /acupunct\w*|electro-?acupunct\w*|acupressure|dry needling|cupping|moxibustion/,
  ),
  rule(
    'Rehabilitation',
    'Other',
    /aqua\w*|pool (?:therapy|exercises?)|cryotherapy|hydrotherap\w*|water therapy|biofeedback|shock ?wave|\bESWT\b|laser|\bLLLT\b|neurostimulation therap\w*|\bLINT\b|speech therap\w*|cognitive rehab\w*|vision therap\w*|(?:acute )?(?:inpatient )?rehab\w* (?:unit|facility|center|hospital|admission|stay)|\bIRF\b|pilates|yoga|tai chi|spinal decompression therap\w*|\bDRX\w*|vax-?d|feldenkrais/,
  ),
  rule(
    'Rehabilitation',
    'Physical/Occupational Therapy',
    /physical therap\w*|physiotherap\w*|physical medicine(?!\s+(?:and|&)\s+rehab)|\bPT\b(?!\/PTT)|occupational therap\w*|\bOT\b|hand therap\w*|therapeutic (?:exercise|activit\w*|ultrasound|massage|procedures?)|manual therap\w*|massage|myofascial(?!\s+trigger)|soft tissue mobili\w*|mobilization|infrared(?!\s+acupunct)|traction|spinolator|\b(?:electrical|electric|e-?) ?stim\w*|(?:electrical|electric)\s+(?:muscle|nerve|neuromuscular)\s+stim\w*|ultrasound therap\w*|diathermy|paraffin|ionto\w*|phonophores\w*|whirlpool|(?:ice|heat|hot|cold)(?:\s*(?:\/|and|&)\s*(?:ice|heat|hot|cold))?\s+(?:packs?|pads?)(?:\s+therapy)?|kinesio\w*|\btaping\b|gait training|neuromuscular re-?education|home exercise program|\bHEP\b|modalit\w*|\brehab\w*/,
  ),
  // Skilled nursing facilities count here too: like home care, they are post-acute nursing.
  rule(
    'Home Health',
    null,
    /home health|home care|home nursing|(?:home|visiting|wound care|registered|skilled) nurse|\bnurs(?:e|es|ing)\b|\bRN\b|\bLVN\b|\bCNA\b|\bHHA\b|\baides?\b|caregivers?|attendant|housekeep\w*|homemaker|\bSNF\b|in-?home (?:care|services|assistance|support)|home (?:assistance|services|help|support)|chore services|meals? (?:on wheels|delivery)|home (?:safety )?(?:evaluation|assessment)|personal care|adult day (?:care|health)|assisted living|board and care|custodial care|respite care/,
  ),
  rule(
    'Transportation',
    null,
    /transport\w*|\btaxi\w*|ambulance|\bNEMT\b|wheelchair van|interpret\w*|translat\w*|\bcab\b|\buber\b|\blyft\b|mileage|\btravel\b|medical van|paratransit/,
  ),
  // Medical foods and supplements are dispensed like drugs and reviewed as such (drugs.ts names
  // the products); these are the generic wordings.
  rule(
    'Pharmaceuticals',
    'Other',
    /(?:nutritional|dietary|herbal|protein|vitamin|mineral)\s+supplement\w*|\bsupplements?\b|probiotics?|coenzyme q ?10|\bCoQ ?10\b|turmeric|curcumin|medical foods?|medical marijuana|cannabi\w*|\bCBD\b/,
  ),
  // FCE is an evaluation of the worker, not a test of one body part: E&M, as the DWC lists it.
  rule(
    'Evaluation & Management',
    null,
    /functional capacity|\bFCE\b|medication management|\bclearance\b|history and physical|physical medicine (?:and|&) rehabilitation (?:consult\w*|evaluation|follow[- ]?up|referral|visit)|\bH&P\b|\bQME\b|\bAME\b|telemedicine|telehealth|office visits?|follow[- ]?up visits?/,
  ),
  // Named so that no weaker word ("therapy") claims them: nothing in the DWC list fits.
  rule('Other', null, /hyperbaric|service (?:dog|animal)/),
];

// Generic words that only decide when nothing specific matched ("Neurology consult" is E&M,
// "Pain management consult for epidural" is an epidural).
const WEAK_RULES: readonly Rule[] = [
  // A drug class named without a drug ("Muscle relaxant", "Sleep aid").
  rule('Pharmaceuticals', 'Opioids', /\bopioids?\b|\bopiates?\b|\bnarcotics?\b/),
  rule('Pharmaceuticals', 'NSAIDs', /\bNSAIDs?\b|anti-?inflammator\w*/),
  rule('Pharmaceuticals', 'Muscle Relaxants', /muscle relaxants?/),
  rule('Pharmaceuticals', 'Proton Pump Inhibitors', /proton pump inhibitors?|\bPPIs?\b/),
  rule(
    'Pharmaceuticals',
    'Antidepressants',
    /anti-?depressants?|\bSSRIs?\b|\bSNRIs?\b|tricyclics?/,
  ),
  rule('Pharmaceuticals', 'Anticonvulsants', /anti-?convulsants?|anti-?epilep\w*|\bAEDs?\b/),
  rule(
    'Pharmaceuticals',
    'Sedative/Hypnotics',
    /sleep aids?|hypnotics?|sleep medications?|sedatives?/,
  ),
  rule('Pharmaceuticals', 'Benzodiazepines', /benzodiazepines?|\bbenzos?\b/),
  rule(
    'Pharmaceuticals',
    'Other',
    /\d\s*(?:mg|mcg|µg|ml|gm?|grams?)\b|\btabs?\b|\btablets?\b|\bcapsules?\b|\bcaps\b|\brefills?\b|\bPO\b|\b(?:BID|TID|QID|QHS|PRN)\b|oral suspension|\bmedications?\b|\bprescriptions?\b|\bcreams?\b|\bgels?\b|\bointments?\b|\blotions?\b|\bpatch(?:es)?\b|transdermal|\btopical\b|compound\w*|\d\s*%/,
  ),
  rule('Diagnostic Testing', 'Other', /\btest(?:s|ing)?\b|\bstud(?:y|ies)\b|\bscreening\b/),
  rule('Programs', null, /\bprograms?\b/),
  rule(
    'Evaluation & Management',
    null,
    /\bvisits?\b|follow[- ]?ups?|consult\w*|referral|\bevaluat\w*|\beval\b|examination|\bexam\b|assessment|second opinion|appointment|specialist|pain management|neurolog\w*|internal medicine|rheumatolog\w*|podiatr\w*|dermatolog\w*|cardiolog\w*|gastroenterolog\w*|urolog\w*|ophthalmolog\w*|optometr\w*|dentist\w*|\bdental\b|otolaryngolog\w*|\bENT\b|physiatr\w*|pulmonolog\w*|endocrinolog\w*|sleep medicine|nutrition\w*|dietitian|dietician/,
  ),
  rule('Rehabilitation', 'Other', /\btherap(?:y|ies)\b/),
];

interface UnionMatch {
  readonly rule: Rule;
  readonly index: number;
}

// One alternation per rule list: a JavaScript regex finds the leftmost match and, at that
// position, tries alternatives in order, which is exactly "earliest keyword, then list order".
function union(rules: readonly Rule[]): (text: string) => UnionMatch | null {
  for (const { pattern } of rules) {
    const groups = (new RegExp(`${pattern.source}|`).exec('') ?? []).length - 1;
    if (groups !== 0) throw new Error(`taxonomy pattern has a capturing group: ${pattern.source}`);
  }
  const combined = new RegExp(rules.map((r) => `(${r.pattern.source})`).join('|'), 'i');
  return (text) => {
    const m = combined.exec(text);
    if (m === null) return null;
    const hit = m.findIndex((group, i) => i > 0 && group !== undefined);
    const found = rules[hit - 1];
    return found === undefined ? null : { rule: found, index: m.index };
  };
}

const matchStrong = union(STRONG_RULES);
const matchWeak = union(WEAK_RULES);

// A drug named in an injection or block is what is injected, not a prescription.
const INJECTED =
  /inject\w*|\binfusions?\b|\bIM\b|\bIV\b|intravenous|intramuscular|\bshots?\b|\bblocks?\b/i;
const JOINT =
  /\b(?:knees?|shoulders?|hips?|elbows?|wrists?|ankles?|joints?|sacroiliac|SI|subacromial|glenohumeral|acromioclavicular|AC|fingers?|thumbs?|toes?|CMC)\b/i;
// A nerve, tendon sheath or ganglion near a joint is not the joint ("genicular nerve block, knee").
const NOT_JOINT = /\bnerves?\b|genicular|ganglion|tendon|sheath|trigger finger|botox|botulinum/i;
const TOPICAL_FORM =
  /\b(?:creams?|gels?|ointments?|lotions?|patch(?:es)?|transdermal|topical|compound(?:ed)?)\b|\d\s*%/i;

// Labels that say when or why an item was requested, not what it is. Items that accompany a
// surgery are classified by what they are (a pre-op EKG is a test, a clearance a visit); only
// what is nothing else (a pain pump, a hip pad with no other reading) is a surgical adjunct.
const PREFIX =
  /^\s*(?:(?:associated surgical services?|post[- ]?op(?:erative(?:ly)?)?|retro(?:spective)?|prospective|concurrent)\b(?:\s+(?:request|review))?(?:\s+(?:for|of))?\s*[:\-–—]?\s*)+/i;
const SPINE = /\b(?:spine|spinal|lumbar|cervical|thoracic|lumbosacral|L[1-5]|C[1-7])\b/i;
const PRE_OP = /^\s*pre[- ]?op(?:erative(?:ly)?)?\b\s*[:\-–—]?\s*/i;

function categorise(
  text: string,
  surgical: boolean,
  preOp: boolean,
): Pick<RequestClassification, 'category' | 'subcategory' | 'drug'> {
  const strong = matchStrong(text);
  const drug = INJECTED.test(text) ? null : locateDrug(text);
  let category: Category;
  let subcategory: Subcategory | null;
  // A drug named anywhere in a pharmaceutical wording ("Medical food: Percura") is what it is.
  if (
    drug !== null &&
    (strong === null || drug.start < strong.index || strong.rule.category === 'Pharmaceuticals')
  ) {
    return { category: 'Pharmaceuticals', subcategory: drug.drugClass, drug: drug.drug };
  }
  const found = strong ?? matchWeak(text);
  if (found === null) {
    category = 'Other';
    subcategory = null;
  } else {
    ({ category, subcategory } = found.rule);
  }
  if (category === 'Pharmaceuticals' && TOPICAL_FORM.test(text)) subcategory = 'Topical Analgesics';
  if (
    category === 'Injections' &&
    subcategory === 'Other' &&
    JOINT.test(text) &&
    !NOT_JOINT.test(text)
  )
    subcategory = 'Joint';
  if ((preOp || surgical) && category === 'Other') {
    category = 'Surgery';
    subcategory = 'Adjunct';
  }
  // Open procedures on the spine (neuroplasty, decompression) are spine surgery.
  if (category === 'Surgery' && subcategory === 'Non-arthroscopic' && SPINE.test(text)) {
    subcategory = 'Spine';
  }
  return { category, subcategory, drug: null };
}

/** The fixed body-region vocabulary: each normalised name with the wordings that map to it. */
export const BODY_REGIONS = [
  [
    'thoracic spine',
    /thoracic|thoracolumbar|(?:upper|mid(?:dle)?)[- ]back|\bT(?:1[0-2]|[1-9])\s*-\s*(?:T?(?:1[0-2]|[1-9])|L1)\b/,
  ],
  [
    'lumbar spine',
    /lumbar|lumbo-?sacral|low(?:er)?[- ]back|\bback\b|\bL[1-5](?:\s*-\s*(?:L?[1-5]|S1))?\b/,
  ],
  ['cervical spine', /cervical|\bneck\b|\bC[1-7](?:\s*-\s*(?:C?[1-7]|T1))?\b/],
  [
    'shoulder',
    /shoulders?|rotator cuff|subacromial|acromio\w*|glenohumeral|bankart|\bSLAP\b|clavic\w*/,
  ],
  ['knee', /\bknees?\b|menisc\w*|patell\w*|\bACL\b|\bMCL\b|\bPCL\b/],
  ['hip', /\bhips?\b|acetabul\w*/],
  ['elbow', /elbows?|epicondyl\w*|cubital|olecranon/],
  ['wrist', /wrists?|carpal|\bTFCC\b/],
  ['hand', /\bhands?\b|fingers?|thumbs?|\bdigits?\b|\bpalm(?:ar)?\b/],
  ['ankle', /ankles?|achilles/],
  ['foot', /\bfoot\b|\bfeet\b|\btoes?\b|\bheels?\b|plantar|metatars\w*|bunion/],
  ['head', /\bhead\b|\bbrain\b|skull|cranial/],
  ['jaw', /\bjaw\b|\bTMJ\b|temporomandibular/],
  ['pelvis', /pelvi[cs]|sacroiliac|\bSI joint|\bsacrum\b|\bsacral\b|coccy\w*/],
  ['abdomen', /abdom\w*/],
  ['chest', /\bchest\b|thorax|\bribs?\b/],
  ['upper extremity', /upper extremit\w*|upper limbs?|\barms?\b|forearms?/],
  [
    'lower extremity',
    /lower extremit\w*|lower limbs?|\blegs?\b|\bcalf\b|\bcalves\b|\bthighs?\b|\bshins?\b/,
  ],
] as const satisfies readonly (readonly [string, RegExp])[];

export type BodyRegion = (typeof BODY_REGIONS)[number][0];

const REGION = new RegExp(BODY_REGIONS.map(([, re]) => `(${re.source})`).join('|'), 'gi');

/** Every body region named in a request, normalised ("low back" and "L4-5" are "lumbar spine"), in order of first mention, each once. */
export function findBodyRegions(text: string): BodyRegion[] {
  const found: BodyRegion[] = [];
  for (const m of text.matchAll(REGION)) {
    const hit = m.findIndex((group, i) => i > 0 && group !== undefined);
    const region = BODY_REGIONS[hit - 1]?.[0];
    if (region !== undefined && !found.includes(region)) found.push(region);
  }
  return found;
}

const NUMBER_WORDS: Readonly<Record<string, number>> = {
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  sixteen: 16,
  seventeen: 17,
  eighteen: 18,
  nineteen: 19,
  twenty: 20,
  thirty: 30,
  sixty: 60,
  ninety: 90,
};
const NUM = `(?:\\d+|${Object.keys(NUMBER_WORDS)
  .sort((a, b) => b.length - a.length)
  .join('|')})`;
const RANGE = `${NUM}(?:\\s*(?:-|–|to)\\s*${NUM})?`;
const COUNT_NOUN =
  '(?:sessions?|visits?|treatments?|appointments?|injections?|units?|tablets|tabs|capsules|caps|pills|patches|box(?:es)?|tubes?|bottles?|containers?|wraps?|pads?|pairs?|kits?|braces|splints)';
const DURATION_UNIT = '(?:weeks?|wks?|days?|months?|years?|hours?|hrs?)';

// In priority order: "#60", "QTY: 6", "Eight (8) physical therapy sessions", "times 6" / "x6".
const QUANTITY_PATTERNS: readonly RegExp[] = [
  /(?<!tylenol\s*)#\s*(\d+)/i,
  /\b(?:qty|quantity)\s*[:#]?\s*(\d+)/i,
  new RegExp(
    `(?<![\\w.])(?<!take\\s)(${RANGE})(?:\\s*\\(\\d+\\))?\\s+(?:[a-z/-]+\\s+){0,4}?${COUNT_NOUN}\\b`,
    'i',
  ),
  new RegExp(
    `(?:\\btimes|(?<!\\d\\s*)\\bx|×)\\s*(${NUM})\\b(?!\\s*(?:a\\s+|per\\s+)?${DURATION_UNIT}\\b)`,
    'i',
  ),
];

function toDigits(value: string): string {
  return value
    .toLowerCase()
    .split(/\s*(?:-|–|to)\s*/)
    .map((part) => String(NUMBER_WORDS[part] ?? part))
    .join('-');
}

/** Count requested, as a bare number string: "#60" is "60", "twelve visits" is "12". */
export function findQuantity(text: string): string | null {
  for (const pattern of QUANTITY_PATTERNS) {
    const value = pattern.exec(text)?.[1];
    if (value !== undefined) return toDigits(value);
  }
  return null;
}

const FREQ_NUM = `(?:${RANGE}|once|twice|thrice)`;
const DURATION = `(?:\\s*,?\\s*(?:for|x|times|over|×)?\\s*${NUM}\\s*(?:weeks?|wks?|days?|months?))?`;
const FREQUENCY = new RegExp(
  [
    `${FREQ_NUM}\\s*(?:x|×|times?)\\s*(?:(?:a|per|each|every|\\/)\\s*)?(?:weeks?|wk|days?|months?|weekly|daily|monthly)\\b${DURATION}`,
    `(?:once|twice|thrice)\\s+(?:a\\s+)?(?:daily|day|weekly|week|nightly|monthly)\\b${DURATION}`,
    '\\b\\d+\\s*[x×]\\s*\\d+\\b(?!\\s*(?:mm|cm|in|mg)\\b)',
    'every\\s+\\d+(?:\\s*-\\s*\\d+)?\\s*hours?',
    '\\bq\\d+(?:-\\d+)?h\\b',
    '\\d+\\s*hours?\\s+on,?\\s+\\d+\\s*hours?\\s+off',
    '\\b(?:BID|TID|QID|QHS|QD|PRN)\\b',
    `\\b(?:daily|nightly|weekly|monthly)\\b${DURATION}`,
    'at bedtime|as needed',
  ].join('|'),
  'i',
);

/** How often, as written: "2 times a week for 4 weeks", "2x4", "twice daily"; null if unsaid. */
export function findFrequency(text: string): string | null {
  const m = FREQUENCY.exec(text);
  return m === null ? null : m[0].replace(/\s+/g, ' ').trim().toLowerCase();
}

function regions(text: string): Pick<RequestClassification, 'bodyRegion' | 'bodyRegions'> {
  const bodyRegions = findBodyRegions(text);
  return { bodyRegion: bodyRegions[0] ?? null, bodyRegions };
}

/** Classifies one disputed item's request text; field conventions are on RequestClassification. */
export function classifyRequest(request: string): RequestClassification {
  const text = request.replace(/\s+/g, ' ').trim();
  const prefix = PREFIX.exec(text)?.[0] ?? '';
  const afterPrefix = text.slice(prefix.length);
  const preOpPrefix = PRE_OP.exec(afterPrefix)?.[0] ?? '';
  const item = afterPrefix.slice(preOpPrefix.length);
  const surgical = /associated surgical|post[- ]?op/i.test(prefix);
  return {
    ...categorise(item, surgical, preOpPrefix !== ''),
    ...regions(item),
    quantity: findQuantity(item),
    frequency: findFrequency(item),
  };
}
