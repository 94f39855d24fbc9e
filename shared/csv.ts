// CSV as RFC 4180 says, for the exports and the receipts roll-ups: CRLF line ends, and a field
// that holds a comma, a double quote, CR or LF is quoted with its quotes doubled. Everything
// else is written as is, so values round-trip.

export type CsvValue = string | number | boolean | null;

const NEEDS_QUOTES = /[",\r\n]/;

/** One field: null is an empty field. */
export function csvField(value: CsvValue): string {
  if (value === null) return '';
  const text = String(value);
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One record, with its CRLF line end. */
export function csvLine(values: readonly CsvValue[]): string {
  return values.map(csvField).join(',') + '\r\n';
}
