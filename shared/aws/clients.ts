import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';

// One place that builds the SDK clients, for AWS (endpoint undefined: the SDK's defaults and
// credential chain) and for the local stack's servers.

/** Credentials the local servers accept (s3rver insists on these; DynamoDB Local takes any). */
export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

export interface ClientOptions {
  region?: string;
  /** A local server's URL; undefined means AWS. */
  endpoint?: string | undefined;
  /** Attempts per request, retries of connection and server errors included (SDK default: 3). */
  maxAttempts?: number;
}

export function createDynamoClient(options: ClientOptions = {}): DynamoDBClient {
  return new DynamoDBClient({
    region: options.region ?? 'us-east-1',
    ...(options.endpoint === undefined
      ? {}
      : { endpoint: options.endpoint, credentials: LOCAL_CREDENTIALS, maxAttempts: 5 }),
  });
}

export function createS3Client(options: ClientOptions = {}): S3Client {
  return new S3Client({
    region: options.region ?? 'us-east-1',
    ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
    ...(options.endpoint === undefined
      ? {}
      : {
          endpoint: options.endpoint,
          credentials: LOCAL_CREDENTIALS,
          forcePathStyle: true,
          // The SDK's default flexible checksums make s3rver store the aws-chunked framing as
          // the body (LOCAL-STACK.md); AWS itself needs no change.
          requestChecksumCalculation: 'WHEN_REQUIRED',
          responseChecksumValidation: 'WHEN_REQUIRED',
        }),
  });
}
