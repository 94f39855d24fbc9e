import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import {
  createApiDeps,
  type ApiDeps,
  endpoint,
  type EndpointName,
  respond,
} from '../../shared/api/index.ts';
import {
  lambdaRuntime,
  startedOnFirstEvent,
  secretsManagerReader,
} from '../../shared/aws/index.ts';
import { s3ExportBucket } from '../../shared/export/index.ts';
import { ConfigError, loadApiConfig, type ApiConfig } from '../../shared/config.ts';

// API Gateway (HTTP API, payload 2.0) in front of the endpoints of shared/api: every api-*
// function is this adapter around one endpoint. The local server builds the same events.

export type ApiHandler = (
  event: APIGatewayProxyEventV2,
) => Promise<APIGatewayProxyStructuredResultV2>;

/** The handler of one endpoint over the given dependencies (the local stack passes its own). */
export function createApiHandler(fn: EndpointName, deps: ApiDeps): ApiHandler {
  const e = endpoint(fn);
  return (event) =>
    respond(e, deps, {
      pathParameters: event.pathParameters ?? {},
      query: event.queryStringParameters ?? {},
      requestId: event.requestContext.requestId,
    });
}

/** Lambda entry point of one endpoint; configuration, clients and secrets are set up once per instance. */
export function lambdaApiHandler(fn: EndpointName): ApiHandler {
  // A failed start (the secret unreadable) is not kept: the next request tries again.
  return startedOnFirstEvent(async () => createApiHandler(fn, await lambdaDeps(fn)));
}

async function lambdaDeps(fn: EndpointName): Promise<ApiDeps> {
  const { config, table, s3, logger } = lambdaRuntime(fn, loadApiConfig);
  return createApiDeps({
    table,
    cursorSecret: endpoint(fn).pages === true ? await cursorSecret(config) : null,
    exports:
      config.EXPORTS_BUCKET === undefined ? null : s3ExportBucket(s3(), config.EXPORTS_BUCKET),
    logger,
  });
}

// In AWS the secret is read from Secrets Manager at cold start (only the paging functions may);
// a value in the environment is for running a handler outside AWS.
async function cursorSecret(config: ApiConfig): Promise<string> {
  if (config.CURSOR_SECRET !== undefined) return config.CURSOR_SECRET;
  if (config.CURSOR_SECRET_ARN === undefined) {
    throw new ConfigError(
      'invalid configuration: CURSOR_SECRET_ARN: required by a paging endpoint',
    );
  }
  const secret = await secretsManagerReader(config.AWS_REGION).read(config.CURSOR_SECRET_ARN);
  if (secret.length < 32) {
    throw new ConfigError('invalid configuration: the cursor secret is under 32 characters');
  }
  return secret;
}
