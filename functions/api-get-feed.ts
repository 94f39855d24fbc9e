import { lambdaApiHandler } from './http/api-gateway.ts';

/** GET /api/feed.atom: the newest items of an /api/items search, as an Atom feed. */
export const handler = lambdaApiHandler('api-get-feed');
