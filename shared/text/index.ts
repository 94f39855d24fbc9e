// shared/text: dates and other text as letters write them.
// Its public entry: code outside the folder imports from here (tests may reach any module).

export { ANY_DATE, NUMERIC_DATE, WORDY_DATE, toIsoDate } from './dates.ts';
