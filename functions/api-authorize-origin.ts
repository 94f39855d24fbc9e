import type {
  APIGatewayRequestSimpleAuthorizerHandlerV2,
  APIGatewaySimpleAuthorizerResult,
} from 'aws-lambda';
import { ORIGIN_HEADER, originVerified } from '../shared/api/index.ts';
import { once, keptSecret, secretsManagerReader } from '../shared/aws/index.ts';
import { loadOriginConfig } from '../shared/config.ts';

/** The HTTP API's authorizer: lets in the requests CloudFront sent (its origin header). */
export const handler: APIGatewayRequestSimpleAuthorizerHandlerV2 = async (event) => {
  const header = event.headers?.[ORIGIN_HEADER];
  if (header === undefined) return DENY;
  const secret = await originSecret();
  if (originVerified(header, await secret.value())) return ALLOW;
  // Perhaps a value put since this instance read it (a rotation): read again, once a minute.
  const again = secret.reread();
  return again !== null && originVerified(header, await again) ? ALLOW : DENY;
};

const ALLOW: APIGatewaySimpleAuthorizerResult = { isAuthorized: true };
const DENY: APIGatewaySimpleAuthorizerResult = { isAuthorized: false };

// It reads no table, so it needs no more of the bootstrap than its configuration, read once.
const originSecret = once(() => {
  const config = loadOriginConfig(process.env);
  return keptSecret(secretsManagerReader(config.AWS_REGION), config.ORIGIN_SECRET_ARN, 60_000);
});
