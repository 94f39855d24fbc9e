import { Random } from './random.ts';

/**
 * Synthetic letters as mailed to the parties (`imr generate --mailed`): the letter behind a
 * cover page naming an invented worker, employer, claims administrator, adjuster and
 * physician, who are named again in the case summary. For demonstrating and testing that the
 * parser publishes none of it (docs/PRIVACY.md). Every name, address and number is made up.
 */

const FIRST = ['Marisol', 'Teodoro', 'Annika', 'Casimir', 'Ysabel', 'Florentin', 'Oksana', 'Bram'];
const LAST = ['Quennell', 'Oyelaran', 'Vasquez-Tolliver', 'Brennagh', 'Zakarian', 'Lindqvist'];
const STREETS = ['Quillfeather Avenue', 'Marbleknot Road', 'Sablewing Drive', 'Tamarisk Lane'];
const CITIES: readonly (readonly [string, string])[] = [
  ['Tehachapi', '93561'],
  ['Lompoc', '93436'],
  ['Yreka', '96097'],
  ['Calexico', '92231'],
];
const EMPLOYERS = ['Zephyrine Haulage, LLC', 'Brightmoor Orchards, Inc.', 'Kestrelview Foods Inc.'];
const ADMINISTRATORS = ['Quartzfield Claims Services', 'Harrowgate Insurance Company'];

/** The invented parties of one mailed letter. */
export interface MailedParties {
  worker: string;
  street: string;
  city: string;
  zip: string;
  claimNumber: string;
  wcabNumber: string;
  employer: string;
  administrator: string;
  adjuster: string;
  physician: string;
}

// A stream of its own, so that a mailed letter is the same letter as the unmailed one.
const MAILED_STREAM = 0x6d61696c;

/** The parties of letter `index` of series `seed`: always the same. */
export function mailedParties(index: number, seed: number): MailedParties {
  const r = new Random((seed ^ MAILED_STREAM) >>> 0, index);
  const [city, zip] = r.pick(CITIES);
  const person = (): string => `${r.pick(FIRST)} ${r.pick(LAST)}`;
  return {
    worker: person(),
    street: `${r.int(100, 9899)} ${r.pick(STREETS)}`,
    city,
    zip,
    claimNumber: `${r.int(10, 99)}Z-${r.int(1_000_000, 9_999_999)}`,
    wcabNumber: `ADJ${r.int(10_000_000, 19_999_999)}`,
    employer: r.pick(EMPLOYERS),
    administrator: r.pick(ADMINISTRATORS),
    adjuster: person(),
    physician: person(),
  };
}

/**
 * The mailed copy of a letter's text: its first line (the synthetic notice) stays first, then
 * the cover page, a page break, the letter, and a sentence naming the parties at the end of
 * the case summary.
 */
export function mailLetter(text: string, p: MailedParties): string {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const [notice, ...rest] = text.split(eol);
  const cover = [
    p.worker,
    p.street,
    `${p.city}, CA ${p.zip}`,
    `Employee: ${p.worker}`,
    `Claim Number: ${p.claimNumber}`,
    `WCAB Case Number: ${p.wcabNumber}`,
    `Employer: ${p.employer}`,
    `Claims Administrator: ${p.administrator}`,
    `Adjuster: ${p.adjuster}`,
    `Requesting Physician: ${p.physician}, MD`,
    `Dear ${p.worker}:`,
    'This letter gives you the Independent Medical Review final determination of your case.',
    `cc: ${p.administrator}; ${p.physician}, MD`,
    '\f',
  ];
  const [last] = p.worker.split(' ').slice(-1);
  const sentence =
    `${p.worker} (claim ${p.claimNumber}) works for ${p.employer.replace(/,? Inc\.|, LLC/, '')} ` +
    `in ${p.city}; ${last!} was referred by ${p.physician}.`;
  const body = rest
    .join(eol)
    .replace(/^([ \t]*IMR ISSUES,? DECISIONS,? AND RATIONALES)/m, `${sentence}${eol}$1`);
  return [notice, ...cover, body].join(eol);
}
