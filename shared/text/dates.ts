const MONTHS: Record<string, number> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  sept: 9,
  oct: 10,
  nov: 11,
  dec: 12,
};

/** Numeric dates as letters write them: 08/07/2012, 7/8/2002, 2/28/13, 10-13-16. */
export const NUMERIC_DATE = String.raw`\d{1,2}[/-]\d{1,2}[/-](?:\d{4}|\d{2})`;
/** Written-out dates: August 10, 2010; Aug. 10 2010. */
export const WORDY_DATE = String.raw`(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2},?\s+\d{4}`;
/** Any date this module can read. */
export const ANY_DATE = `(?:${NUMERIC_DATE}|${WORDY_DATE})`;

// A two-digit year up to next year's is this century: letters date injuries decades back, never ahead.
const PIVOT = (new Date().getUTCFullYear() + 1) % 100;

const numericRe = /^(\d{1,2})[/-](\d{1,2})[/-](\d{4}|\d{2})$/;
const wordyRe = /^([A-Za-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})$/;

function iso(year: number, month: number, day: number): string | null {
  if (month < 1 || month > 12 || day < 1 || day > 31) return null;
  const d = new Date(Date.UTC(year, month - 1, day));
  // Date.UTC rolls 02/30 into March; a date that rolls over was never a real date.
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) {
    return null;
  }
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/**
 * Converts a US-style date to "YYYY-MM-DD", or null when it is not a real calendar date.
 * Two-digit years belong to this century up to next year, to the last century beyond it.
 */
export function toIsoDate(text: string): string | null {
  const s = text.trim();
  const n = numericRe.exec(s);
  if (n) {
    const [, m, d, y] = n;
    let year = Number(y);
    if (y!.length === 2) year += year <= PIVOT ? 2000 : 1900;
    return iso(year, Number(m), Number(d));
  }
  const w = wordyRe.exec(s);
  if (w) {
    const month = MONTHS[w[1]!.slice(0, 3).toLowerCase()];
    if (month === undefined) return null;
    return iso(Number(w[3]), month, Number(w[2]));
  }
  return null;
}
