import type {
  APIGatewayRequestSimpleAuthorizerHandlerV2,
  APIGatewaySimpleAuthorizerResult,
} from 'aws-lambda';
import { ORIGIN_HEADER, originVerified } from '#shared/api/origin.ts';
import { keptSecret, secretsManagerReader } from '#shared/aws/secrets.ts';
import { loadOriginConfig } from '#shared/config.ts';

/** The HTTP API's authorizer: lets in the requests CloudFront sent (its origin header). */
export const handler: APIGatewayRequestSimpleAuthorizerHandlerV2 = async (event) => {
  const header = event.headers?.[ORIGIN_HEADER];
  if (header === undefined) return DENY;
  if (originVerified(header, await secret.value())) return ALLOW;
  // Perhaps a value put since this instance read it (a rotation): read again, once a minute.
  const again = secret.reread();
  return again !== null && originVerified(header, await again) ? ALLOW : DENY;
};

const ALLOW: APIGatewaySimpleAuthorizerResult = { isAuthorized: true };
const DENY: APIGatewaySimpleAuthorizerResult = { isAuthorized: false };

const config = loadOriginConfig(process.env);
const secret = keptSecret(
  secretsManagerReader(config.AWS_REGION),
  config.ORIGIN_SECRET_ARN,
  60_000,
);
