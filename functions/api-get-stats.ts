import { lambdaApiHandler } from './http/api-gateway.ts';

/** GET /api/stats: upheld/overturned counts grouped by one dimension. */
export const handler = lambdaApiHandler('api-get-stats');
