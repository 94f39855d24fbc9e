/** One disputed item of a synthetic letter. */
export interface LetterItem {
  request: string;
  /**
   * For a modified request: what was asked for and what UR authorized. The wording is either
   * "... The remaining IMR eligible portion of the original request, <request> is" (the default)
   * or "... leaving the original request IMR eligible. The original request, <request> is".
   */
  modified?: {
    original: string;
    authorized: string;
    wording?: 'remaining-portion' | 'original-eligible';
  };
  decision: 'Upheld' | 'Overturned';
  /** Put this item's decision on its own line (overrides RenderOptions.decisionOnOwnLine). */
  decisionOnOwnLine?: boolean;
  claimsAdministratorGuideline: string;
  reviewerGuideline: string;
  rationale: string;
}

/** What a synthetic letter says; rendering decides how it is laid out on the page. */
export interface LetterSpec {
  /** A line printed above everything else (the generator's "SYNTHETIC LETTER" notice). */
  marker?: string;
  caseNumber: string | null;
  /** US-style dates as the header prints them ("11/09/2016"). */
  dates: {
    assigned: string;
    injury: string;
    decision: string;
    urDenial: string;
    applicationReceived: string;
  };
  priority: 'Standard' | 'Expedited';
  licensure: string[];
  specialties: string[];
  summary: string;
  items: LetterItem[];
}

export interface RenderOptions {
  /** Body-only letters (2014-2015) have no header table and state the reviewer inline. */
  layout: 'full-letter' | 'body-only';
  /** "inline": label and value on one line (pdf.js); "columns": all labels, then all values (pdftotext). */
  header?: 'inline' | 'columns';
  /** Wrap width for prose, as the PDF's text column imposes. */
  width?: number;
  /** Separate lines with blank lines and trailing spaces, as the seeds' extraction did. */
  blankLines?: boolean;
  /** Put the decision on its own line after the request. */
  decisionOnOwnLine?: boolean;
  lineEnding?: '\n' | '\r\n';
  /** Break pages every N lines with a "Page i of n" footer and a running case-number header. */
  pageLines?: number;
}

/** Greedy word wrap, as a PDF's fixed text column breaks lines. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

const BOILERPLATE =
  'MAXIMUS Federal Services sent the complete case file to an expert reviewer. He/she has no ' +
  'affiliation with the employer, employee, providers or the claims administrator. He/she has been ' +
  'in active clinical practice for more than five years and is currently working at least 24 hours ' +
  'a week in active practice. The expert reviewer was selected based on his/her clinical ' +
  'experience, education, background, and expertise in the same or similar specialties that ' +
  'evaluate and/or treat the medical condition and disputed items/Service. He/she is familiar ' +
  'with governing laws and regulations, including the strength of evidence hierarchy that applies ' +
  'to Independent Medical Review determinations.';

/** Renders a letter spec as the text a PDF-to-text tool would produce from a real letter. */
export function renderLetter(spec: LetterSpec, options: RenderOptions): string {
  const width = options.width ?? 95;
  const out: string[] = [];
  const para = (text: string): void => {
    out.push(...wrap(text, width));
  };

  if (spec.marker !== undefined) out.push(spec.marker);
  if (options.layout === 'full-letter') {
    const d = spec.dates;
    if ((options.header ?? 'inline') === 'inline') {
      out.push(`Case Number: ${spec.caseNumber ?? ''}`.trim());
      out.push(`Date Assigned: ${d.assigned} Date of Injury: ${d.injury}`);
      out.push(`Decision Date: ${d.decision} UR Denial Date: ${d.urDenial}`);
      out.push(`Priority: ${spec.priority} Application`, 'Received:', d.applicationReceived);
    } else {
      out.push('Case Number:', 'Date Assigned:', 'Decision Date:', 'Priority:');
      out.push(spec.caseNumber ?? '', d.assigned, d.decision, spec.priority);
      out.push('Date of Injury:', 'UR Denial Date:', 'Application', 'Received:');
      out.push(d.injury, d.urDenial, d.applicationReceived);
    }
  }

  out.push('HOW THE IMR FINAL DETERMINATION WAS MADE');
  if (options.layout === 'full-letter') {
    para(BOILERPLATE);
    out.push('The Expert Reviewer has the following credentials:');
    para(`State(s) of Licensure: ${spec.licensure.join(',')}`);
    para(`Certification(s)/Specialty: ${spec.specialties.join(', ')}`);
  } else {
    para(
      BOILERPLATE.replace(
        'He/she has been',
        `The expert reviewer is Board Certified in ${spec.specialties.join(', ')} and is licensed to ` +
          `practice in ${spec.licensure.join(', ')}. He/she has been`,
      ),
    );
  }
  out.push('CLINICAL CASE SUMMARY');
  para(
    'The expert reviewer developed the following clinical case summary based on a review of the ' +
      'case file, including all medical records:',
  );
  para(spec.summary);
  out.push('IMR ISSUES, DECISIONS AND RATIONALES');
  para(
    'The Final Determination was based on decisions for the disputed items/services set forth below:',
  );
  for (const item of spec.items) {
    const m = item.modified;
    const request =
      m === undefined
        ? item.request
        : m.wording === 'original-eligible'
          ? `${m.original} was the original request. The Claims Administrator authorized ` +
            `${m.authorized}, leaving the original request IMR eligible. The original request, ` +
            `${item.request} is`
          : `${m.original} was the original request. ${m.authorized} was authorized by the ` +
            `Claims Administrator. The remaining IMR eligible portion of the original request, ` +
            `${item.request} is`;
    if (item.decisionOnOwnLine ?? options.decisionOnOwnLine) {
      para(`${request}:`);
      out.push(item.decision);
    } else {
      para(`${request}: ${item.decision}`);
    }
    para(`Claims Administrator guideline: ${item.claimsAdministratorGuideline}`);
    para(`MAXIMUS guideline: ${item.reviewerGuideline}`);
    para(`Decision rationale: ${item.rationale}`);
  }

  if (options.pageLines !== undefined) {
    const size = options.pageLines;
    const pages = Math.ceil(out.length / size);
    const paged: string[] = [];
    for (let p = 0; p < pages; p++) {
      if (p > 0 && spec.caseNumber !== null) paged.push(spec.caseNumber);
      paged.push(...out.slice(p * size, (p + 1) * size), `Page ${p + 1} of ${pages}`);
      if (p < pages - 1) paged.push('\f');
    }
    out.splice(0, out.length, ...paged);
  }

  const eol = options.lineEnding ?? '\n';
  return options.blankLines ? out.map((l) => ` ${l} ${eol}`).join(eol) : out.join(eol) + eol;
}
