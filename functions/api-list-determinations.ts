import { lambdaApiHandler } from './http/api-gateway.ts';

/** GET /api/determinations: recent determinations, newest first. */
export const handler = lambdaApiHandler('api-list-determinations');
