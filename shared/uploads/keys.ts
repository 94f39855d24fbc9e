// Where uploads live in the bucket and which organisation a key belongs to. Its own module so
// that the ingest and the receipts (which mirror upload keys) read keys the same way.

/** Uploads live under `uploads/<organisation>/`; anything else in the bucket is not a letter. */
export const UPLOADS_PREFIX = 'uploads/';
/** Recorded for keys outside any organisation's folder; no organisation name can look like it. */
export const NO_ORGANISATION = '(none)';
/** What an organisation's folder name may be (the CLI checks --org against the same rule). */
export const ORGANISATION_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
const ORGANISATION = /^uploads\/([A-Za-z0-9][A-Za-z0-9._-]{0,62})\/.+/;

/** The organisation an upload key belongs to, or null when the key is not under one. */
export function organisationOf(key: string): string | null {
  return ORGANISATION.exec(key)?.[1] ?? null;
}
