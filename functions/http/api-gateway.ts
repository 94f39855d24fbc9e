import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createApiDeps, type ApiDeps } from '#shared/api/deps.ts';
import { endpoint, type EndpointName } from '#shared/api/endpoints.ts';
import { respond } from '#shared/api/http.ts';
import { createDynamoClient, createS3Client } from '#shared/aws/clients.ts';
import { s3ExportBucket } from '#shared/export/bucket.ts';
import { loadApiConfig } from '#shared/config.ts';
import { createLogger } from '#shared/logger.ts';

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

let deps: ApiDeps | undefined;

/** Lambda entry point of one endpoint; configuration and clients are set up once per instance. */
export function lambdaApiHandler(fn: EndpointName): ApiHandler {
  let handle: ApiHandler | undefined;
  return (event) => {
    handle ??= createApiHandler(
      fn,
      (deps ??= (() => {
        const config = loadApiConfig(process.env);
        return createApiDeps({
          table: {
            client: createDynamoClient({
              region: config.AWS_REGION,
              endpoint: config.IMR_DYNAMODB_ENDPOINT,
            }),
            tableName: config.TABLE_NAME,
          },
          cursorSecret: config.CURSOR_SECRET,
          exports:
            config.EXPORTS_BUCKET === undefined
              ? null
              : s3ExportBucket(
                  createS3Client({ region: config.AWS_REGION, endpoint: config.IMR_S3_ENDPOINT }),
                  config.EXPORTS_BUCKET,
                ),
          logger: createLogger({ level: config.LOG_LEVEL, service: fn }),
        });
      })()),
    );
    return handle(event);
  };
}
