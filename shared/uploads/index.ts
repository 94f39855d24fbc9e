// shared/uploads: where uploads live in the bucket and whose they are.
// Its public entry: code outside the folder imports from here (tests may reach any module).

export { NO_ORGANISATION, ORGANISATION_NAME, UPLOADS_PREFIX, organisationOf } from './keys.ts';
