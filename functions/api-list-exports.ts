import { lambdaApiHandler } from './http/api-gateway.ts';

/** GET /api/exports: the scheduled statistics exports, with download paths. */
export const handler = lambdaApiHandler('api-list-exports');
