import { CASE_NUMBER, type DateField } from '../record/index.ts';
import { NUMERIC_DATE, WORDY_DATE, toIsoDate } from '../text/index.ts';

export type HeaderField =
  | 'caseNumber'
  | 'assigned'
  | 'decision'
  | 'priority'
  | 'injury'
  | 'urDenial'
  | 'applicationReceived';

type ValueKind = 'case' | 'date' | 'priority';

const KIND: Record<HeaderField, ValueKind> = {
  caseNumber: 'case',
  assigned: 'date',
  decision: 'date',
  priority: 'priority',
  injury: 'date',
  urDenial: 'date',
  applicationReceived: 'date',
};

export interface Header {
  caseNumber: string | null;
  priority: 'Standard' | 'Expedited' | null;
  dates: Record<
    'assigned' | 'decision' | 'injury' | 'urDenial' | 'applicationReceived',
    string | null
  >;
  /** Fields whose label is present with no readable value (for data-quality flags). */
  unreadable: DateField[];
  /** Labels found at all: a header without any is not a header. */
  labelsFound: number;
}

// One pass over the header with every label and value kind as alternatives. Labels may come
// before their values (pdftotext emits label columns, then value columns) or beside them, so
// values are matched to the oldest waiting label of the right kind rather than by position.
const tokenRe = new RegExp(
  [
    String.raw`(?<caseLabel>Case\s+Number\s*:)`,
    String.raw`(?<assignedLabel>Date\s+Assigned\s*:)`,
    String.raw`(?<decisionLabel>Decision\s+Date\s*:)`,
    String.raw`(?<priorityLabel>Priority\s*:)`,
    String.raw`(?<injuryLabel>Date\s+of\s+Injury\s*:)`,
    String.raw`(?<urLabel>(?:UR\s+Denial\s+Date|Date\s+of\s+UR\s+(?:Decision|Denial))\s*:)`,
    // "Application Received:" wraps, and the value can sit between the two words.
    String.raw`(?<appLabel>Application(?:\s+Received)?\s*:?)`,
    String.raw`(?<receivedWord>Received\s*:)`,
    String.raw`(?<caseValue>\b${CASE_NUMBER}\b)`,
    String.raw`(?<dateValue>\b(?:${NUMERIC_DATE}|${WORDY_DATE})\b)`,
    String.raw`(?<badDate>\b\d{1,4}[/-]\d{1,4}(?:[/-]\d{1,4})?\b)`,
    String.raw`(?<priorityValue>\b(?:Standard|Expedited)\b)`,
  ].join('|'),
  'gi',
);

const LABEL_GROUPS: [string, HeaderField][] = [
  ['caseLabel', 'caseNumber'],
  ['assignedLabel', 'assigned'],
  ['decisionLabel', 'decision'],
  ['priorityLabel', 'priority'],
  ['injuryLabel', 'injury'],
  ['urLabel', 'urDenial'],
  ['appLabel', 'applicationReceived'],
];

/** Reads the page-1 header table, whatever order the extractor emitted labels and values in. */
export function parseHeader(text: string): Header {
  const header: Header = {
    caseNumber: null,
    priority: null,
    dates: {
      assigned: null,
      decision: null,
      injury: null,
      urDenial: null,
      applicationReceived: null,
    },
    unreadable: [],
    labelsFound: 0,
  };
  const waiting: HeaderField[] = [];
  const seen = new Set<HeaderField>();
  const assign = (kind: ValueKind): HeaderField | undefined => {
    const i = waiting.findIndex((f) => KIND[f] === kind);
    return i < 0 ? undefined : waiting.splice(i, 1)[0];
  };

  for (const m of text.matchAll(tokenRe)) {
    const g = m.groups ?? {};
    const label = LABEL_GROUPS.find(([group]) => g[group] !== undefined);
    if (label) {
      const field = label[1];
      if (!seen.has(field)) {
        seen.add(field);
        waiting.push(field);
        header.labelsFound++;
      }
      continue;
    }
    if (g.receivedWord !== undefined) {
      if (!seen.has('applicationReceived')) {
        seen.add('applicationReceived');
        waiting.push('applicationReceived');
        header.labelsFound++;
      }
      continue;
    }
    if (g.caseValue !== undefined) {
      if (assign('case')) header.caseNumber = g.caseValue.toUpperCase();
    } else if (g.priorityValue !== undefined) {
      if (assign('priority')) {
        header.priority = g.priorityValue.toLowerCase() === 'expedited' ? 'Expedited' : 'Standard';
      }
    } else {
      const raw = g.dateValue ?? g.badDate;
      if (raw === undefined) continue;
      const field = assign('date');
      if (field === undefined || field === 'caseNumber' || field === 'priority') continue;
      const iso = toIsoDate(raw);
      if (iso === null) header.unreadable.push(field);
      header.dates[field] = iso;
    }
  }
  return header;
}
