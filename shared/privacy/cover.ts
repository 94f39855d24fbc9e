/**
 * The cover page of a letter as mailed to the parties (docs/DOMAIN.md, Privacy). The DWC publishes
 * the determination without it; the copy a party receives opens with the worker's name and
 * address, the claim and WCAB case numbers, the employer, the claims administrator, the
 * requesting physician and a salutation. The cover is read for what it names, and then left
 * out of the letter, so that the rest parses exactly as the published copy does.
 */

/** What a value on the cover is: it decides how the value is matched in the prose. */
export type IdentifierKind = 'name' | 'organisation' | 'number' | 'address';

/** One identifier found on the cover. */
export interface Identifier {
  kind: IdentifierKind;
  text: string;
}

export interface Cover {
  /** Everything the cover names, as written, and the parts of each person's name. */
  identifiers: Identifier[];
  /** Index of the first line of the letter proper (0 when there is no cover). */
  end: number;
}

const LABELS: readonly { re: RegExp; kind: IdentifierKind }[] = [
  {
    re: /^(?:Employee|Injured\s+Worker|Applicant|Claimant|Patient)(?:'s)?(?:\s+Name)?$/i,
    kind: 'name',
  },
  {
    re: /^(?:Requesting|Treating|Referring)\s+(?:Physician|Provider|Doctor)(?:\s+Name)?$/i,
    kind: 'name',
  },
  {
    re: /^(?:Provider|Physician|(?:Claims\s+)?Adjuster|Examiner|Attention|Attn|(?:Applicant|Defense)(?:'s)?\s+Attorney|Attorney)(?:\s+Name)?$/i,
    kind: 'name',
  },
  {
    re: /^(?:Employer|Claims\s+Administrator|Insurer|Insurance\s+Carrier|Carrier|Third\s+Party\s+Administrator|TPA)(?:\s+Name)?$/i,
    kind: 'organisation',
  },
  {
    re: /^(?:Claim|Policy|Member|WCAB(?:\s+Case)?|ADJ|EAMS(?:\s+Case)?|Social\s+Security)\s*(?:Number|No\.?|#)$/i,
    kind: 'number',
  },
  { re: /^(?:SSN|DOB|Date\s+of\s+Birth|Phone|Telephone|Fax)$/i, kind: 'number' },
  { re: /^(?:(?:Employee|Home|Mailing)\s+)?Address$/i, kind: 'address' },
];

/** "Label: value" or a label alone; the label is at most six words before the colon. */
const labelledRe = /^([A-Za-z][A-Za-z.'#]*(?:\s+[A-Za-z.'#]+){0,5})\s*:\s*(.*)$/;
const salutationRe = /^Dear\s+(.+?)\s*[:,]?$/i;
const ccRe = /^(?:cc|c\.c\.|copy\s+to)\s*:\s*(.+)$/i;
/** "Fresno, CA 93721", "Los Angeles CA 90012-1234". */
const cityLineRe = /^([A-Z][A-Za-z .'-]{1,40}?),?\s+([A-Z]{2}|California)\.?\s+(\d{5})(-\d{4})?$/;
const streetRe = /^(?:\d{1,6}\s+\S|P\.?\s*O\.?\s+Box\b)/i;
/** Where the letter proper begins after a cover: its header table. */
const letterStartRe = /^Case\s+Number\s*:?\s*(?:CM\d{2}-\d{7})?(?:\s|$)/i;
const headerLabelRe =
  /^(?:Case\s+Number|Date\s+Assigned|Decision\s+Date|Priority|Date\s+of\s+Injury|UR\s+Denial\s+Date|Application)\b/i;

/** A line of an addressee block that names someone: a few capitalised words ("Jose A. Hernandez", "Acme Trucking, Inc."). */
const partyLineRe =
  /^(?:Attn:?\s+)?[A-Z][\w'.&-]*(?:,?\s+(?:(?:de|del|la|van|von|der|da|di|du|le|and|of|&)\s+)?[A-Z][\w'.&-]*){0,5}$/;

/** Salutations that name no one. */
const GENERIC_ADDRESSEE =
  /^(?:Sir|Madam|Sir\s+or\s+Madam|Sirs|Colleague|Doctor|Provider|Physician|Applicant|Claimant|Employee|Injured\s+Worker|Parties|All\s+Parties|Whom\s+It\s+May\s+Concern|To\s+Whom\s+It\s+May\s+Concern)$/i;

/** Words of a name that are titles, credentials or suffixes, not the person's own. */
const NOT_A_NAME = new Set(
  [
    'mr',
    'mrs',
    'ms',
    'miss',
    'dr',
    'md',
    'm.d',
    'do',
    'd.o',
    'dc',
    'd.c',
    'phd',
    'ph.d',
    'np',
    'pa',
    'pa-c',
    'dpm',
    'esq',
    'jr',
    'sr',
    'ii',
    'iii',
    'iv',
    'and',
    'of',
    'the',
    'inc',
    'llc',
    'llp',
    'corp',
    'co',
    'company',
    'corporation',
    'maximus',
    'federal',
    'services',
  ].map((w) => w.toLowerCase()),
);

/** Words that make a name an organisation's: its parts are not looked for on their own. */
const ORGANISATION_WORD =
  /\b(?:Inc|LLC|LLP|Corp|Corporation|Company|Co|Group|Insurance|Claims|Services|Fund|Administrators?|Trucking|Hospital|Clinic|Center|Associates|Partners|District|County|Authority|Systems|Solutions|Enterprises|Industries|Holdings|Foods|Markets?|Stores?|Construction|Transport(?:ation)?|Logistics|University|College|Schools?)\b\.?/i;
/** Leading words that name no organisation on their own. */
const GENERIC_LEAD =
  /^(?:The|State|City|County|National|American|California|United|General|Pacific|Western|Southern|Northern|Golden\s+State)$/i;
/** The IMR organisation's own letterhead and the state's offices identify no one. */
const PUBLIC_PARTY =
  /\b(?:MAXIMUS|Division\s+of\s+Workers|Department\s+of\s+Industrial\s+Relations)\b/i;

function labelKind(label: string): IdentifierKind | null {
  const l = label.replace(/\s+/g, ' ').trim();
  return LABELS.find((x) => x.re.test(l))?.kind ?? null;
}

/** A name without its title and credentials: "Dr. Jane Roe, M.D." → "Jane Roe". */
function bareName(name: string): string {
  return name
    .replace(/^(?:(?:Mr|Mrs|Ms|Miss|Dr)\.?\s+)+/i, '')
    .replace(/(?:,?\s+(?:M\.?D|D\.?O|D\.?C|Ph\.?D|NP|PA-C|PA|DPM|Esq|Jr|Sr|II|III|IV)\.?)+$/i, '');
}

/** The parts of a person's name worth finding on their own: "Jose A. Hernandez, MD" → Jose, Hernandez. */
export function nameParts(name: string): string[] {
  return (
    name
      .split(/[\s,]+/)
      .map((w) => w.replace(/^[("']+|[)"'.]+$/g, ''))
      // Names are capitalised: "de", "van" and other particles stay with the whole name only.
      .filter((w) => w.length >= 2 && /^[A-Z][A-Za-z'-]*$/.test(w))
      .filter((w) => !NOT_A_NAME.has(w.toLowerCase()))
  );
}

/**
 * Reads a mailed letter's cover in the lines before its first section heading; a published
 * letter has none, and gives `{ identifiers: [], end: 0 }`.
 */
export function readCover(lines: readonly string[], firstHeading: number): Cover {
  const zone = lines.slice(0, firstHeading);
  const found: Identifier[] = [];
  const add = (kind: IdentifierKind, text: string): void => {
    const t = text.replace(/\s+/g, ' ').trim();
    if (t.length >= 2) found.push({ kind, text: t });
  };
  const addParty = (text: string): void => {
    if (PUBLIC_PARTY.test(text)) return;
    addValue(ORGANISATION_WORD.test(text) ? 'organisation' : 'name', text);
  };
  const addValue = (kind: IdentifierKind, value: string): void => {
    if (kind === 'address') return addAddress(value);
    if (kind === 'name' && ORGANISATION_WORD.test(value)) kind = 'organisation';
    add(kind, value);
    if (kind === 'name') add(kind, bareName(value));
    if (kind === 'organisation') {
      const plain = value.replace(/,?\s+(?:Inc|LLC|LLP|Corp|Co|Company|Corporation)\.?$/i, '');
      if (plain !== value) add(kind, plain);
      // Prose shortens "Acme Trucking, Inc." to "Acme": the words before the first generic one.
      const at = ORGANISATION_WORD.exec(plain)?.index ?? 0;
      const lead = plain.slice(0, at).replace(/[\s,&]+$/, '');
      if (lead.length >= 3 && !GENERIC_LEAD.test(lead)) add(kind, lead);
    }
  };
  const addAddress = (value: string): void => {
    // "1234 Elm Street, Apt 5, Fresno, CA 93721": the street, the city and the ZIP code.
    const parts = value.split(/\s*,\s*/);
    const last = parts.slice(-2).join(', ');
    const city = cityLineRe.exec(last) ?? cityLineRe.exec(parts.at(-1) ?? '');
    if (city) {
      add('address', city[1]!);
      add('number', city[3]!);
      if (city[4] !== undefined) add('number', city[3]! + city[4]);
    }
    const street = parts.filter((p) => streetRe.test(p));
    for (const s of street) add('address', s);
    if (!city && street.length === 0) add('address', value);
  };

  let last = -1;
  const pending: IdentifierKind[] = [];
  for (let i = 0; i < zone.length; i++) {
    const line = zone[i]!;
    const salutation = salutationRe.exec(line);
    if (salutation) {
      const who = salutation[1]!;
      if (!GENERIC_ADDRESSEE.test(who)) addParty(who);
      last = i;
      continue;
    }
    const cc = ccRe.exec(line);
    if (cc) {
      for (const who of cc[1]!.split(/\s*;\s*/)) addParty(who);
      last = i;
      continue;
    }
    const labelled = labelledRe.exec(line);
    const kind = labelled ? labelKind(labelled[1]!) : null;
    if (labelled && kind !== null) {
      const value = labelled[2]!.trim();
      if (value === '') pending.push(kind);
      else addValue(kind, value);
      last = i;
      continue;
    }
    const city = cityLineRe.exec(line);
    if (city) {
      // An addressee block: name, street, "City, ST ZIP". The lines above the city line, up to
      // the previous cover line, are the street and the addressee.
      const from = Math.max(0, i - 3, last + 1);
      const block = zone.slice(from, i);
      last = i;
      if (block.some((l) => PUBLIC_PARTY.test(l))) continue;
      addAddress(line);
      for (const above of block.reverse()) {
        if (headerLabelRe.test(above) || /\b\d{1,2}[/-]\d{1,2}[/-]\d{2,4}\b|,\s+\d{4}$/.test(above))
          break;
        if (streetRe.test(above)) {
          add('address', above);
          addAddress(above);
        } else if (partyLineRe.test(above)) addParty(above);
        else break;
      }
      continue;
    }
    // Labels first, values after (how some extractors emit a two-column table).
    if (pending.length > 0 && !headerLabelRe.test(line)) {
      addValue(pending.shift()!, line);
      last = i;
    }
  }
  if (last < 0) return { identifiers: [], end: 0 };

  // The cover ends where the letter's own header table begins after it, or at the first heading.
  let end = zone.length;
  for (let i = last + 1; i < zone.length; i++) {
    if (letterStartRe.test(zone[i]!)) {
      end = i;
      break;
    }
  }
  const identifiers: Identifier[] = [];
  for (const id of found) {
    identifiers.push(id);
    if (id.kind === 'name') {
      for (const part of nameParts(id.text)) identifiers.push({ kind: 'name', text: part });
    }
  }
  return { identifiers: dedupe(identifiers), end };
}

function dedupe(ids: readonly Identifier[]): Identifier[] {
  const seen = new Set<string>();
  return ids.filter((id) => {
    const key = id.text.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
