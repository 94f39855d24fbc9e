import { lambdaApiHandler } from './http/api-gateway.ts';

/** GET /api/items: disputed items by filters and keywords, newest first. */
export const handler = lambdaApiHandler('api-list-items');
