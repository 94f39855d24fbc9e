// shared/stats: aggregate statistics read from the counters.
// Its public entry: code outside the folder imports from here (tests may reach any module).

export { STATS_BY, TREND_FILTERS, rate, statistics } from './statistics.ts';
export type { StatsBy, StatsRequest, StatsResult } from './statistics.ts';
