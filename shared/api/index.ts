// shared/api: the HTTP API: endpoints, their parameters and answers.
// Its public entry: code outside the folder imports from here (tests may reach any module).

export { createApiDeps } from './deps.ts';
export type { ApiDeps } from './deps.ts';
export { ENDPOINTS, endpoint } from './endpoints.ts';
export type { Endpoint, EndpointName } from './endpoints.ts';
export { EXPORTS_PATH } from './exports.ts';
export { ITEM_FILTERS } from './filters.ts';
export { respond } from './http.ts';
export { ORIGIN_HEADER, originVerified } from './origin.ts';
export type {
  feedQuerySchema,
  itemsQuerySchema,
  similarQuerySchema,
  statsQuerySchema,
} from './params.ts';
export type {
  ExportsList,
  ItemsPage,
  PublicDetermination,
  PublicItem,
  Similar,
  errorSchema,
  statsSchema,
} from './schemas.ts';
