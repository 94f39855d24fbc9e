import { lambdaApiHandler } from './http/api-gateway.ts';

/** GET /api/health: whether the API can read its table. */
export const handler = lambdaApiHandler('api-get-health');
