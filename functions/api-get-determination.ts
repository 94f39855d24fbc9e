import { lambdaApiHandler } from './http/api-gateway.ts';

/** GET /api/determinations/{caseNumber}: one determination by case number. */
export const handler = lambdaApiHandler('api-get-determination');
