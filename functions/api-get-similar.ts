import { lambdaApiHandler } from './http/api-gateway.ts';

/** GET /api/stats/similar: what became of requests like a planned one. */
export const handler = lambdaApiHandler('api-get-similar');
