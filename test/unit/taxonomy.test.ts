import { describe, it, expect } from 'vitest';
import {
  BODY_REGIONS,
  classifyRequest,
  findFrequency,
  findQuantity,
} from '../../shared/taxonomy/classify.ts';
import { knownDrugNames, lookupDrug } from '../../shared/taxonomy/drugs.ts';
import {
  CATEGORIES,
  SUBCATEGORIES,
  categorySchema,
  isSubcategoryOf,
  subcategorySchema,
} from '../../shared/taxonomy/vocabulary.ts';
import type { Category, Subcategory } from '../../shared/taxonomy/vocabulary.ts';

type Case = readonly [request: string, category: Category, subcategory: Subcategory | null];

const CATEGORY_CASES: readonly Case[] = [
  // Pharmaceuticals, by drug class
  ['Norco 10/325mg #90', 'Pharmaceuticals', 'Opioids'],
  ['Tramadol ER 150mg #30', 'Pharmaceuticals', 'Opioids'],
  ['Butrans 10mcg/hr transdermal patch #4', 'Pharmaceuticals', 'Opioids'],
  ['Naproxen sodium 550mg #60', 'Pharmaceuticals', 'NSAIDs'],
  ['Meloxicam 15mg once daily', 'Pharmaceuticals', 'NSAIDs'],
  ['Cyclobenzaprine 7.5mg #90', 'Pharmaceuticals', 'Muscle Relaxants'],
  ['Lidocaine 5% patch #30', 'Pharmaceuticals', 'Topical Analgesics'],
  ['Ketoprofen 10% cream 120 grams', 'Pharmaceuticals', 'Topical Analgesics'],
  ['Flurbiprofen 20%/Lidocaine 5% compound, 180g', 'Pharmaceuticals', 'Topical Analgesics'],
  ['Voltaren 1% gel 100g', 'Pharmaceuticals', 'Topical Analgesics'],
  ['Omeprazole 20mg #60', 'Pharmaceuticals', 'Proton Pump Inhibitors'],
  ['Duloxetine 60mg #30', 'Pharmaceuticals', 'Antidepressants'],
  ['Gabapentin 600mg #90', 'Pharmaceuticals', 'Anticonvulsants'],
  ['Zolpidem 10mg at bedtime #30', 'Pharmaceuticals', 'Sedative/Hypnotics'],
  ['Alprazolam 0.5mg #30', 'Pharmaceuticals', 'Benzodiazepines'],
  ['Ondansetron 8mg #10', 'Pharmaceuticals', 'Other'],
  ['Post-op Percocet 5/325mg #40', 'Pharmaceuticals', 'Opioids'],
  ['Retrospective Protonix 20mg #60 (DOS 01/02/2016)', 'Pharmaceuticals', 'Proton Pump Inhibitors'],
  ['Unlisted medication 10mg #30', 'Pharmaceuticals', 'Other'],
  ['Custom compounded topical cream 240g', 'Pharmaceuticals', 'Topical Analgesics'],
  // Diagnostic testing
  ['MRI of the lumbar spine without contrast', 'Diagnostic Testing', 'Imaging/Radiology'],
  ['CT scan of the cervical spine', 'Diagnostic Testing', 'Imaging/Radiology'],
  ['X-rays of the right knee, 3 views', 'Diagnostic Testing', 'Imaging/Radiology'],
  ['Ultrasound of the left shoulder', 'Diagnostic Testing', 'Imaging/Radiology'],
  ['Three phase bone scan', 'Diagnostic Testing', 'Imaging/Radiology'],
  ['EMG/NCV of the bilateral upper extremities', 'Diagnostic Testing', 'EMG/NCV/NCS'],
  ['Nerve conduction study of the left leg', 'Diagnostic Testing', 'EMG/NCV/NCS'],
  ['Urine drug screen', 'Diagnostic Testing', 'Lab & Pathology'],
  ['Labs: CBC and CMP', 'Diagnostic Testing', 'Lab & Pathology'],
  ['Sleep study', 'Diagnostic Testing', 'Other'],
  ['Electrocardiogram', 'Diagnostic Testing', 'Other'],
  // DMEPOS
  ['TENS unit rental for 30 days', 'DMEPOS', 'Electrical Stimulation'],
  ['H-wave device purchase', 'DMEPOS', 'Electrical Stimulation'],
  ['Interferential stimulator with supplies', 'DMEPOS', 'Electrical Stimulation'],
  ['Lumbar brace', 'DMEPOS', 'Prosthetics/Orthotics'],
  ['Custom orthotics for both feet', 'DMEPOS', 'Prosthetics/Orthotics'],
  ['Soft cervical collar', 'DMEPOS', 'Prosthetics/Orthotics'],
  ['Lumbar support', 'DMEPOS', 'Prosthetics/Orthotics'],
  ['Cold therapy unit rental for 7 days', 'DMEPOS', 'DME'],
  ['Hot/cold therapy wrap', 'DMEPOS', 'DME'],
  ['Front wheeled walker', 'DMEPOS', 'DME'],
  ['Shower chair', 'DMEPOS', 'DME'],
  ['Electrodes and batteries for the home unit', 'DMEPOS', 'Supplies'],
  ['TENS unit supplies', 'DMEPOS', 'Supplies'],
  ['Associated surgical service: Shoulder sling', 'DMEPOS', 'DME'],
  ['Associated surgical service: Cold therapy unit', 'DMEPOS', 'DME'],
  // Rehabilitation
  ['Physical therapy evaluation', 'Rehabilitation', 'Physical/Occupational Therapy'],
  [
    'Physical therapy 2 times a week for 4 weeks',
    'Rehabilitation',
    'Physical/Occupational Therapy',
  ],
  [
    'Occupational therapy 6 sessions for the wrist',
    'Rehabilitation',
    'Physical/Occupational Therapy',
  ],
  [
    'Four sessions of electrical stimulation two times a week',
    'Rehabilitation',
    'Physical/Occupational Therapy',
  ],
  ['Massage therapy x6', 'Rehabilitation', 'Physical/Occupational Therapy'],
  ['Post-op physical therapy 12 sessions', 'Rehabilitation', 'Physical/Occupational Therapy'],
  [
    'Physical therapy following right knee arthroscopy',
    'Rehabilitation',
    'Physical/Occupational Therapy',
  ],
  ['Chiropractic manipulation 6 visits', 'Rehabilitation', 'Chiropractic'],
  ['Acupuncture 2x3 for the neck', 'Rehabilitation', 'Acupuncture'],
  ['Acupuncture with capsaicin patch', 'Rehabilitation', 'Acupuncture'],
  ['Aquatic therapy 12 sessions', 'Rehabilitation', 'Other'],
  ['Extracorporeal shockwave therapy', 'Rehabilitation', 'Other'],
  ['Biofeedback 6 sessions', 'Rehabilitation', 'Other'],
  // Injections
  ['Lumbar epidural steroid injection at L4-5', 'Injections', 'Epidural'],
  ['Right L5-S1 transforaminal ESI', 'Injections', 'Epidural'],
  ['Bilateral L4-5 medial branch blocks', 'Injections', 'Facet'],
  ['Radiofrequency ablation at L3-L5', 'Injections', 'Facet'],
  ['Trigger point injections x4', 'Injections', 'Trigger Point'],
  ['Right knee cortisone injection', 'Injections', 'Joint'],
  ['Synvisc injection series for the left knee', 'Injections', 'Joint'],
  ['Lidocaine injection to the right shoulder', 'Injections', 'Joint'],
  ['Occipital nerve block', 'Injections', 'Other'],
  ['Toradol 60mg IM injection', 'Injections', 'Other'],
  // Surgery
  ['L4-5 posterior lumbar fusion', 'Surgery', 'Spine'],
  ['Lumbar laminectomy and discectomy at L5-S1', 'Surgery', 'Spine'],
  ['Spinal cord stimulator trial', 'Surgery', 'Spine'],
  ['Right knee arthroscopy with partial meniscectomy', 'Surgery', 'Arthroscopic'],
  ['Left carpal tunnel release', 'Surgery', 'Non-arthroscopic'],
  ['Total knee arthroplasty', 'Surgery', 'Non-arthroscopic'],
  ['Open subacromial decompression', 'Surgery', 'Non-arthroscopic'],
  ['Manipulation under anesthesia of the left shoulder', 'Surgery', 'Non-arthroscopic'],
  ['Pre-operative labs', 'Diagnostic Testing', 'Lab & Pathology'],
  ['Pre-op EKG', 'Diagnostic Testing', 'Other'],
  ['Pre-operative medical clearance', 'Evaluation & Management', null],
  ['Neuroplasty, lumbar spine', 'Surgery', 'Spine'],
  ['Associated surgical service: Pain pump', 'Surgery', 'Adjunct'],
  ['Assistant surgeon', 'Surgery', 'Adjunct'],
  ['Inpatient stay for 2 days', 'Surgery', 'Adjunct'],
  ['Spine surgery consultation', 'Surgery', 'Surgical Consult'],
  ['Orthopedic surgeon consultation for the knee', 'Surgery', 'Surgical Consult'],
  ['Referral to a hand surgeon', 'Surgery', 'Surgical Consult'],
  // The rest
  ['Pain management consultation', 'Evaluation & Management', null],
  ['Follow-up office visit', 'Evaluation & Management', null],
  ['Functional capacity evaluation', 'Evaluation & Management', null],
  ['Neurology consult', 'Evaluation & Management', null],
  ['Psychological evaluation', 'Psych Services', null],
  ['Cognitive behavioral therapy 6 sessions', 'Psych Services', null],
  ['Functional restoration program, 80 hours', 'Programs', null],
  ['Initial evaluation for a functional restoration program', 'Programs', null],
  ['Work hardening program', 'Programs', null],
  ['Gym membership for 6 months', 'Programs', null],
  ['Home health aide 4 hours a day', 'Home Health', null],
  ['Skilled nursing facility for 2 weeks', 'Home Health', null],
  ['Transportation to and from medical appointments', 'Transportation', null],
  ['Hyperbaric oxygen', 'Other', null],
  ['Associated surgical service: Hyperbaric oxygen', 'Surgery', 'Adjunct'],
];

describe('classifyRequest: category and subcategory', () => {
  it.each(CATEGORY_CASES)('%s -> %s / %s', (request, category, subcategory) => {
    const result = classifyRequest(request);
    expect({ category: result.category, subcategory: result.subcategory }).toEqual({
      category,
      subcategory,
    });
  });

  it('names the drug for pharmaceuticals and only for them', () => {
    expect(classifyRequest('Norco 10/325mg #90').drug).toBe('hydrocodone/acetaminophen');
    expect(classifyRequest('Flector 1.3% patch #30').drug).toBe('diclofenac');
    expect(classifyRequest('Unlisted medication 10mg #30').drug).toBeNull();
    expect(classifyRequest('Lidocaine injection to the right shoulder').drug).toBeNull();
    expect(classifyRequest('MRI of the lumbar spine').drug).toBeNull();
  });

  it('returns a subcategory from its own category vocabulary every time', () => {
    for (const [request] of CATEGORY_CASES) {
      const { category, subcategory } = classifyRequest(request);
      expect(isSubcategoryOf(category, subcategory), request).toBe(true);
    }
  });
});

describe('lookupDrug', () => {
  const DRUG_CASES = [
    ['Norco', 'hydrocodone/acetaminophen', 'Opioids'],
    ['Vicodin', 'hydrocodone/acetaminophen', 'Opioids'],
    ['Hydrocodone/APAP', 'hydrocodone/acetaminophen', 'Opioids'],
    ['Percocet', 'oxycodone/acetaminophen', 'Opioids'],
    ['OxyContin', 'oxycodone', 'Opioids'],
    ['Ultram', 'tramadol', 'Opioids'],
    ['Ultracet', 'tramadol/acetaminophen', 'Opioids'],
    ['Nucynta', 'tapentadol', 'Opioids'],
    ['MS Contin', 'morphine', 'Opioids'],
    ['Dilaudid', 'hydromorphone', 'Opioids'],
    ['Duragesic', 'fentanyl', 'Opioids'],
    ['Suboxone', 'buprenorphine/naloxone', 'Opioids'],
    ['Tylenol #3', 'codeine/acetaminophen', 'Opioids'],
    ['Opana', 'oxymorphone', 'Opioids'],
    ['Anaprox DS', 'naproxen', 'NSAIDs'],
    ['Motrin', 'ibuprofen', 'NSAIDs'],
    ['Mobic', 'meloxicam', 'NSAIDs'],
    ['Celebrex', 'celecoxib', 'NSAIDs'],
    ['Relafen', 'nabumetone', 'NSAIDs'],
    ['Toradol', 'ketorolac', 'NSAIDs'],
    ['Flexeril', 'cyclobenzaprine', 'Muscle Relaxants'],
    ['Fexmid', 'cyclobenzaprine', 'Muscle Relaxants'],
    ['Zanaflex', 'tizanidine', 'Muscle Relaxants'],
    ['Soma', 'carisoprodol', 'Muscle Relaxants'],
    ['Skelaxin', 'metaxalone', 'Muscle Relaxants'],
    ['Robaxin', 'methocarbamol', 'Muscle Relaxants'],
    ['Lidoderm', 'lidocaine', 'Topical Analgesics'],
    ['Terocin', 'methyl salicylate/capsaicin/menthol/lidocaine', 'Topical Analgesics'],
    ['Pennsaid', 'diclofenac', 'Topical Analgesics'],
    ['Ben-Gay', 'methyl salicylate/menthol', 'Topical Analgesics'],
    ['Prilosec', 'omeprazole', 'Proton Pump Inhibitors'],
    ['Nexium', 'esomeprazole', 'Proton Pump Inhibitors'],
    ['Dexilant', 'dexlansoprazole', 'Proton Pump Inhibitors'],
    ['Cymbalta', 'duloxetine', 'Antidepressants'],
    ['Elavil', 'amitriptyline', 'Antidepressants'],
    ['Trazodone', 'trazodone', 'Antidepressants'],
    ['Neurontin', 'gabapentin', 'Anticonvulsants'],
    ['Lyrica', 'pregabalin', 'Anticonvulsants'],
    ['Topamax', 'topiramate', 'Anticonvulsants'],
    ['Ambien CR', 'zolpidem', 'Sedative/Hypnotics'],
    ['Lunesta', 'eszopiclone', 'Sedative/Hypnotics'],
    ['Restoril', 'temazepam', 'Benzodiazepines'],
    ['Klonopin', 'clonazepam', 'Benzodiazepines'],
    ['Pepcid', 'famotidine', 'Other'],
    ['Zofran', 'ondansetron', 'Other'],
    ['Colace', 'docusate', 'Other'],
    ['Medrol dose pack', 'methylprednisolone', 'Other'],
    ['Theramine', 'theramine', 'Other'],
  ] as const;

  it.each(DRUG_CASES)('%s -> %s (%s)', (name, drug, drugClass) => {
    expect(lookupDrug(name)).toEqual({ drug, drugClass });
  });

  it('matches case-insensitively with a dosage glued on', () => {
    expect(lookupDrug('NORCO10/325 #60')?.drug).toBe('hydrocodone/acetaminophen');
    expect(lookupDrug('retro: tramadol50mg')?.drug).toBe('tramadol');
  });

  it('returns the first drug named', () => {
    expect(lookupDrug('Ultram (tramadol) 50mg')?.drug).toBe('tramadol');
    expect(lookupDrug('Naproxen 550mg and omeprazole 20mg')?.drug).toBe('naproxen');
  });

  it('reads a bare opioid with an acetaminophen strength as the combination', () => {
    expect(lookupDrug('Hydrocodone 10/325mg #90')?.drug).toBe('hydrocodone/acetaminophen');
    expect(lookupDrug('Oxycodone HCL 5/325 #30')?.drug).toBe('oxycodone/acetaminophen');
    expect(lookupDrug('Oxycodone ER 20mg #60')?.drug).toBe('oxycodone');
  });

  it('classes creams, gels, patches and percent strengths as topical, except opioids', () => {
    expect(lookupDrug('Gabapentin 10% in cream base')?.drugClass).toBe('Topical Analgesics');
    expect(lookupDrug('Diclofenac 75mg #60')?.drugClass).toBe('NSAIDs');
    expect(lookupDrug('Diclofenac 1% gel')?.drugClass).toBe('Topical Analgesics');
    expect(lookupDrug('Fentanyl 25mcg patch')?.drugClass).toBe('Opioids');
    expect(lookupDrug('Testosterone gel 1%')?.drugClass).toBe('Other');
  });

  it('needs whole words', () => {
    expect(lookupDrug('Ambient room temperature')).toBeNull();
    expect(lookupDrug('Physical therapy 6 sessions')).toBeNull();
    expect(lookupDrug('')).toBeNull();
  });

  it('recognises every name in its table', () => {
    const names = knownDrugNames();
    expect(names.length).toBeGreaterThanOrEqual(150);
    for (const name of names) expect(lookupDrug(name), name).not.toBeNull();
  });
});

describe('classifyRequest: body region', () => {
  const REGION_CASES = [
    ['MRI of the lumbar spine', 'lumbar spine'],
    ['Chiropractic care for the low back', 'lumbar spine'],
    ['Right L5-S1 epidural steroid injection', 'lumbar spine'],
    ['MRI of the neck without contrast', 'cervical spine'],
    ['Physical therapy for the cervical and lumbar spine', 'cervical spine'],
    ['Massage for the upper back', 'thoracic spine'],
    ['X-rays of the right shoulder', 'shoulder'],
    ['MRI of the left knee', 'knee'],
    ['Total hip arthroplasty', 'hip'],
    ['Left elbow brace', 'elbow'],
    ['Right carpal tunnel release', 'wrist'],
    ['MRI of the fingers of the left hand', 'hand'],
    ['Ankle brace', 'ankle'],
    ['Custom orthotics for both feet', 'foot'],
    ['CT scan of the head', 'head'],
    ['X-ray of the pelvis', 'pelvis'],
    ['CT of the abdomen and pelvis', 'abdomen'],
    ['EMG of the bilateral upper extremities', 'upper extremity'],
    ['NCV of the left leg', 'lower extremity'],
    ['Norco 10/325mg #90', null],
  ] as const;

  it.each(REGION_CASES)('%s -> %s', (request, region) => {
    expect(classifyRequest(request).bodyRegion).toBe(region);
  });

  it('draws regions from its fixed list', () => {
    const regions: readonly string[] = BODY_REGIONS.map(([name]) => name);
    for (const [request] of REGION_CASES) {
      const { bodyRegion } = classifyRequest(request);
      if (bodyRegion !== null) expect(regions).toContain(bodyRegion);
    }
  });
});

describe('classifyRequest: quantity and frequency', () => {
  const QUANTITY_CASES = [
    ['Norco 10/325mg #90', '90'],
    ['Tylenol #3 #60', '60'],
    ['Physical therapy, 6 sessions', '6'],
    ['Twelve physical therapy visits', '12'],
    ['Eight (8) chiropractic treatments', '8'],
    ['Chiropractic manipulation times 6', '6'],
    ['Acupuncture x6', '6'],
    ['NCV of the lower extremities QTY: 2', '2'],
    ['Post-op physical therapy 12-18 sessions', '12-18'],
    ['Physical therapy 2 times a week for 4 weeks', null],
    ['Physical therapy two times a week times 3 weeks', null],
    ['Take 1 tab by mouth twice daily', null],
    ['MRI of the lumbar spine', null],
  ] as const;

  it.each(QUANTITY_CASES)('quantity of %s is %s', (request, quantity) => {
    expect(findQuantity(request)).toBe(quantity);
    expect(classifyRequest(request).quantity).toBe(quantity);
  });

  const FREQUENCY_CASES = [
    ['Physical therapy 2 times a week for 4 weeks', '2 times a week for 4 weeks'],
    ['Physical therapy 3 times per week for 2 weeks', '3 times per week for 2 weeks'],
    ['Physical therapy 2-3 times a week for 6 weeks', '2-3 times a week for 6 weeks'],
    ['Acupuncture two times a week times three weeks', 'two times a week times three weeks'],
    ['Acupuncture 1 x week x 4 months', '1 x week x 4 months'],
    ['Chiropractic 2x4 for the low back', '2x4'],
    ['Norco 10/325mg one tablet twice daily #60', 'twice daily'],
    ['Naproxen 550mg three times a day', 'three times a day'],
    ['Tramadol 50mg every 4-6 hours as needed', 'every 4-6 hours'],
    ['Lidoderm patch, 12 hours on 12 hours off', '12 hours on 12 hours off'],
    ['MRI of the lumbar spine', null],
  ] as const;

  it.each(FREQUENCY_CASES)('frequency of %s is %s', (request, frequency) => {
    expect(findFrequency(request)).toBe(frequency);
    expect(classifyRequest(request).frequency).toBe(frequency);
  });
});

describe('vocabulary', () => {
  it('keys subcategories by exactly the twelve categories', () => {
    expect(Object.keys(SUBCATEGORIES).sort()).toEqual([...CATEGORIES].sort());
    expect(CATEGORIES).toHaveLength(12);
  });

  it('validates categories and subcategories with zod', () => {
    expect(categorySchema.parse('DMEPOS')).toBe('DMEPOS');
    expect(categorySchema.safeParse('Durable Medical Equipment').success).toBe(false);
    expect(subcategorySchema.parse('EMG/NCV/NCS')).toBe('EMG/NCV/NCS');
    expect(subcategorySchema.safeParse('Massage').success).toBe(false);
    const all = Object.values(SUBCATEGORIES).flat();
    expect([...subcategorySchema.options].sort()).toEqual([...new Set(all)].sort());
  });

  it('allows null only where a category has no subcategories', () => {
    expect(isSubcategoryOf('Programs', null)).toBe(true);
    expect(isSubcategoryOf('Surgery', null)).toBe(false);
    expect(isSubcategoryOf('Surgery', 'Spine')).toBe(true);
    expect(isSubcategoryOf('Injections', 'Spine')).toBe(false);
  });
});

describe('classifyRequest: every body region', () => {
  it.each([
    ['Chiropractic 2 times a week for 6 weeks for neck, back', ['cervical spine', 'lumbar spine']],
    ['Physical therapy for the left shoulder wrist and hip', ['shoulder', 'wrist', 'hip']],
    ['Acupuncture for the cervical and thoracic spine', ['cervical spine', 'thoracic spine']],
    ['MRI of the lumbar spine and L4-5', ['lumbar spine']],
    ['Gym membership', []],
  ])('%s', (request, regions) => {
    const c = classifyRequest(request);
    expect(c.bodyRegions).toEqual(regions);
    expect(c.bodyRegion).toBe(regions[0] ?? null);
  });
});
