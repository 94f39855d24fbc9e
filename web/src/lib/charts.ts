// Shapes of the chart components' data.

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
}

/** One month's decisions ("YYYY-MM"). */
export interface Month {
  key: string;
  upheld: number;
  overturned: number;
}
