// Numbers and dates as a reader expects them, independent of the browser's locale and time zone
// (so that prerendered and client-rendered text agree).

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** 1234567 → "1,234,567". */
export function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** 0.0852 → "8.5%"; null (nothing to divide) → "n/a". */
export function percent(rate: number | null): string {
  if (rate === null) return 'n/a';
  return `${(rate * 100).toFixed(1)}%`;
}

/** A 95% interval as "7.3–9.9%"; null ends (no decisions) → "n/a". */
export function interval(low: number | null, high: number | null): string {
  if (low === null || high === null) return 'n/a';
  return `${(low * 100).toFixed(1)}–${(high * 100).toFixed(1)}%`;
}

/** "2024-12-25" → "December 25, 2024"; "2024-12" → "December 2024"; null → "not stated". */
export function plainDate(iso: string | null): string {
  if (iso === null) return 'not stated';
  const m = /^(\d{4})-(\d{2})(?:-(\d{2}))?/.exec(iso);
  const month = m ? MONTHS[Number(m[2]) - 1] : undefined;
  if (!m || month === undefined) return iso;
  return m[3] === undefined ? `${month} ${m[1]}` : `${month} ${Number(m[3])}, ${m[1]}`;
}

/** A patient's age as the API gives it: 48 → "48 years old"; "90 or older" stays; null → null. */
export function ageText(age: number | string | null): string | null {
  if (age === null) return null;
  return typeof age === 'number' ? `${age} years old` : age;
}

/** "2024-12" → "Dec 2024", for chart axes. */
export function shortMonth(key: string): string {
  const m = /^(\d{4})-(\d{2})$/.exec(key);
  const month = m ? MONTHS[Number(m[2]) - 1] : undefined;
  return m && month ? `${month.slice(0, 3)} ${m[1]}` : key;
}

/** An ISO timestamp as "December 25, 2024, 14:03 UTC". */
export function plainTime(iso: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(iso);
  return m ? `${plainDate(m[1] ?? null)}, ${m[2]} UTC` : iso;
}

/** 12345 → "12.1 KB". */
export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
