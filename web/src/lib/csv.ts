import { csvLine, type CsvValue } from '../../../shared/csv.ts';

// Chart downloads use the exports' own CSV writer (RFC 4180 quoting), so a table downloaded
// from a chart and the same table in an export file read the same way.

/**
 * Text a spreadsheet would run as a formula when the file is opened (a label parsed from a letter
 * that begins "=HYPERLINK(...)", say). Such text gets a leading apostrophe, which spreadsheets
 * show as text; numbers are written as they are, so negative figures stay numbers.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

function inert(value: CsvValue): CsvValue {
  return typeof value === 'string' && FORMULA_START.test(value) ? `'${value}` : value;
}

/** A CSV document: a header row, then the rows. */
export function toCsv(header: readonly string[], rows: readonly (readonly CsvValue[])[]): string {
  return [header, ...rows].map((r) => csvLine(r.map(inert))).join('');
}

/** A data: URL for an <a download>, so no object URL has to be made and revoked. */
export function csvHref(csv: string): string {
  return `data:text/csv;charset=utf-8,${encodeURIComponent(csv)}`;
}
