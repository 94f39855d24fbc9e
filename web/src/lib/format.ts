import { DICTIONARIES, type Lang } from './i18n/index.ts';

// Numbers and dates as a reader of the page's language expects them (es-US writes numbers as
// en-US does: 1,234.5), independent of the browser's locale and time zone (so that prerendered
// and client-rendered text agree). Each function takes the page's language, English by default.

/** 1234567 → "1,234,567". */
export function count(n: number, lang: Lang = 'en'): string {
  return n.toLocaleString(DICTIONARIES[lang].locale);
}

/** 0.0852 → "8.5%"; null (nothing to divide) → "n/a". */
export function percent(rate: number | null, lang: Lang = 'en'): string {
  if (rate === null) return DICTIONARIES[lang].format.none;
  return `${(rate * 100).toFixed(1)}%`;
}

/** A 95% interval as "7.3–9.9%"; null ends (no decisions) → "n/a". */
export function interval(low: number | null, high: number | null, lang: Lang = 'en'): string {
  if (low === null || high === null) return DICTIONARIES[lang].format.none;
  return `${(low * 100).toFixed(1)}–${(high * 100).toFixed(1)}%`;
}

/** "2024-12-25" → "December 25, 2024" ("25 de diciembre de 2024"); null → "not stated". */
export function plainDate(iso: string | null, lang: Lang = 'en'): string {
  const f = DICTIONARIES[lang].format;
  if (iso === null) return f.notStated;
  const m = /^(\d{4})-(\d{2})(?:-(\d{2}))?/.exec(iso);
  const month = m ? f.months[Number(m[2]) - 1] : undefined;
  if (!m || month === undefined) return iso;
  return m[3] === undefined ? f.month(month, m[1]!) : f.day(month, Number(m[3]), m[1]!);
}

/** A patient's age as the API gives it: 48 → "48 years old"; "90 or older" in words; null → null. */
export function ageText(age: number | string | null, lang: Lang = 'en'): string | null {
  if (age === null) return null;
  const f = DICTIONARIES[lang].format;
  if (typeof age === 'number') return f.yearsOld(age);
  return age === DICTIONARIES.en.format.age90OrOlder ? f.age90OrOlder : age;
}

/** "2024-12" → "Dec 2024" ("dic 2024"), for chart axes. */
export function shortMonth(key: string, lang: Lang = 'en'): string {
  const m = /^(\d{4})-(\d{2})$/.exec(key);
  const month = m ? DICTIONARIES[lang].format.monthsShort[Number(m[2]) - 1] : undefined;
  return m && month ? `${month} ${m[1]}` : key;
}

/** An ISO timestamp as "December 25, 2024, 14:03 UTC". */
export function plainTime(iso: string, lang: Lang = 'en'): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(iso);
  return m ? `${plainDate(m[1] ?? null, lang)}, ${m[2]} UTC` : iso;
}

/** 12345 → "12.1 KB". */
export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
