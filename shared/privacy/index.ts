// shared/privacy: what is removed from a letter before anything is published.
// Its public entry: code outside the folder imports from here (tests may reach any module).

export { readCover } from './cover.ts';
export { publicDetermination, publicDeterminationSchema, yearOf } from './public-record.ts';
export type { PublicDetermination } from './public-record.ts';
export { SCRUBBED_RE, scrubberFor } from './redact.ts';
export type { Redacted } from './redact.ts';
