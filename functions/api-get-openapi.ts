import { lambdaApiHandler } from './http/api-gateway.ts';

/** GET /api/openapi.json: this API as an OpenAPI 3.1 document. */
export const handler = lambdaApiHandler('api-get-openapi');
