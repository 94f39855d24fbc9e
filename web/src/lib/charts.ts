// Shapes of the chart components' data, and the scales they share.

/** One column of a chart's table view and CSV. */
export interface Column {
  label: string;
  /** How the table shows the value; the CSV always holds it as it is. */
  kind: 'text' | 'count' | 'rate';
}

/** One horizontal bar. */
export interface Bar {
  label: string;
  /** Length of the bar, from 0 to the chart's `max`. */
  value: number;
  /** The value as text, e.g. "8.5% (160 of 1,879)". */
  note: string;
  /** The 95% interval around a rate, drawn as a whisker over the bar and said in `detail`. */
  low?: number | null;
  high?: number | null;
  /** A second line of text, e.g. "95% interval 7.3–9.9%". */
  detail?: string;
  /** Fewer decisions than SMALL_GROUP: drawn paler and marked in words. */
  small?: boolean;
}

/** One month's decisions ("YYYY-MM"). */
export interface Month {
  key: string;
  upheld: number;
  overturned: number;
}

/** A group resting on fewer decisions than this is marked "small": its rate says little. */
export const SMALL_GROUP = 30;

/** A rate axis: where it ends and where its labelled ticks are (fractions of 1). */
export interface RateScale {
  top: number;
  ticks: number[];
}

const RATE_TOPS: readonly [top: number, step: number][] = [
  [0.05, 0.01],
  [0.1, 0.02],
  [0.15, 0.05],
  [0.2, 0.05],
  [0.25, 0.05],
  [0.3, 0.1],
  [0.4, 0.1],
  [0.5, 0.1],
  [0.6, 0.2],
  [0.8, 0.2],
  [1, 0.25],
];

/**
 * The axis of rates up to `max`: the smallest round end at or above it, so that 5% and 15% look
 * different, with ticks labelled so that a full track never reads as "all of them".
 */
export function rateScale(max: number): RateScale {
  const [top, step] = RATE_TOPS.find(([t]) => t >= max - 1e-9) ?? [1, 0.25];
  const ticks: number[] = [];
  for (let i = 0; i * step <= top + 1e-9; i++) ticks.push(Math.round(i * step * 1000) / 1000);
  return { top, ticks };
}

/** Every month from the first to the last "YYYY-MM", so that a gap in time shows as a gap. */
export function monthSpan(keys: readonly string[]): string[] {
  const sorted = [...keys].sort();
  const first = sorted[0];
  const last = sorted[sorted.length - 1];
  if (first === undefined || last === undefined) return [];
  const out: string[] = [];
  let [y, mo] = first.split('-').map(Number) as [number, number];
  for (let guard = 0; guard < 1200; guard++) {
    const key = `${y}-${String(mo).padStart(2, '0')}`;
    out.push(key);
    if (key >= last) break;
    mo++;
    if (mo > 12) [y, mo] = [y + 1, 1];
  }
  return out;
}

/** Where each year starts in a run of months: its index and the year, for a year axis. */
export function yearTicks(months: readonly string[]): { index: number; year: string }[] {
  const out: { index: number; year: string }[] = [];
  months.forEach((m, index) => {
    const year = m.slice(0, 4);
    if (index === 0 || m.endsWith('-01')) out.push({ index, year });
  });
  return out;
}
