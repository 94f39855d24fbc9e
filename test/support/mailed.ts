/**
 * A published (redacted) letter turned back into a copy as mailed to the parties: a cover page
 * naming an invented worker, employer, claims administrator, adjuster and physician, and the
 * same identifiers again in the letter's prose. Every person, organisation, address and number
 * here is made up.
 */

export const PEOPLE = {
  worker: 'Josefina Q. Arbuthnot-Villalobos',
  workerFirst: 'Josefina',
  workerLast: 'Arbuthnot-Villalobos',
  street: '4821 Quillfeather Avenue, Apt 12',
  city: 'Tehachapi',
  zip: '93561',
  claimNumber: '05Z-8812734',
  wcab: 'ADJ10443721',
  employer: 'Zephyrine Haulage Partners, LLC',
  employerShort: 'Zephyrine Haulage',
  administrator: 'Quartzfield Claims Services',
  adjuster: 'Thaddeus Oyelaran',
  physician: 'Rosalind Vandermolen',
  physicianLast: 'Vandermolen',
  phone: '(661) 555-0187',
} as const;

/** Every string that must never reach a public field. */
export const IDENTIFIERS: readonly string[] = [
  PEOPLE.workerFirst,
  PEOPLE.workerLast,
  'Arbuthnot',
  'Villalobos',
  '4821 Quillfeather',
  'Quillfeather',
  PEOPLE.city,
  PEOPLE.zip,
  PEOPLE.claimNumber,
  '05Z8812734',
  '8812734',
  PEOPLE.wcab,
  '10443721',
  'Zephyrine',
  'Haulage',
  'Quartzfield',
  'Thaddeus',
  'Oyelaran',
  'Rosalind',
  PEOPLE.physicianLast,
  '555-0187',
];

/** The cover page, as text with a line per printed line. */
export function coverPage(caseNumber: string | null): string[] {
  const p = PEOPLE;
  return [
    'MAXIMUS Federal Services',
    'P.O. Box 138009',
    'Sacramento, CA 95813-8009',
    'December 12, 2016',
    p.worker,
    p.street,
    `${p.city}, CA ${p.zip}`,
    'Independent Medical Review Final Determination',
    `Employee: ${p.worker}`,
    `Claim Number: ${p.claimNumber}`,
    `WCAB Case Number: ${p.wcab}`,
    'Date of Injury: 01/02/2003',
    `Employer: ${p.employer}`,
    `Claims Administrator: ${p.administrator}`,
    `Adjuster: ${p.adjuster}`,
    `Requesting Physician: ${p.physician}, MD`,
    `Phone: ${p.phone}`,
    ...(caseNumber === null ? [] : [`IMR Case Number: ${caseNumber}`]),
    `Dear Ms. ${p.workerLast}:`,
    'MAXIMUS Federal Services has completed the Independent Medical Review of the above',
    "workers' compensation case, received on 01/02/2003. This letter gives you the final",
    'determination and explains how it was made. The Application for Independent Medical',
    'Review and the Priority: Standard of the case are on file.',
    'Sincerely,',
    `cc: ${p.administrator}; ${p.physician}, MD; ${p.employer}`,
  ];
}

/** Sentences naming the parties, as reviewers write them into the prose. */
export const SUMMARY_SENTENCE =
  `${PEOPLE.workerFirst} ${PEOPLE.workerLast} (claim number ${PEOPLE.claimNumber}, WCAB ${PEOPLE.wcab}) ` +
  `drives for ${PEOPLE.employerShort} out of ${PEOPLE.city} ${PEOPLE.zip}; ${PEOPLE.workerLast.toUpperCase()} ` +
  `was seen by ${PEOPLE.physician} and Mr. ${PEOPLE.adjuster.split(' ')[1]!} at ${PEOPLE.administrator}.`;
/** What the scrubber leaves of SUMMARY_SENTENCE. */
export const SUMMARY_SCRUBBED =
  '[name] [name] (claim number [redacted], WCAB [redacted]) drives for [organisation] out of ' +
  '[address] [redacted]; [name] was seen by [name] and Mr. [name] at [organisation].';
export const RATIONALE_SENTENCE = `Per ${PEOPLE.physicianLast}'s note, ${PEOPLE.workerFirst} of ${PEOPLE.street.split(',')[0]!} called ${PEOPLE.phone}.`;
export const RATIONALE_SCRUBBED = "Per [name]'s note, [name] of [address] called [phone].";
export const GUIDELINE_SENTENCE = `Sent by ${PEOPLE.administrator} for ${PEOPLE.workerFirst} ${PEOPLE.workerLast}.`;

/**
 * The mailed copy of a published letter's text: the cover page first, then the letter with
 * the parties named again at the end of the case summary and at the start of each rationale
 * (and, with `guidelines`, at the end of each guideline line, which changes its citations).
 */
export function mailedCopy(
  published: string,
  options: { caseNumber: string | null; guidelines?: boolean },
): string {
  let body = published
    .replace(
      /^(\s*IMR ISSUES,? DECISIONS,? AND RATIONALES)/m,
      (heading) => `${SUMMARY_SENTENCE}\n${heading}`,
    )
    .replace(/^(\s*Decision rationale:)/gm, `$1 ${RATIONALE_SENTENCE}`);
  if (options.guidelines === true) {
    body = body.replace(
      /^(\s*(?:Claims Administrator|MAXIMUS) guideline:)/gm,
      `$1 ${GUIDELINE_SENTENCE}`,
    );
  }
  return [...coverPage(options.caseNumber), '\f', body].join('\n');
}
