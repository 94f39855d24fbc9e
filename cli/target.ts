import { S3ServiceException, type S3Client } from '@aws-sdk/client-s3';
import { createDynamoClient, createS3Client } from '../shared/aws/index.ts';
import { ORGANISATION_NAME } from '../shared/uploads/index.ts';
import type { TableDeps } from '../shared/store/index.ts';
import { isRunning, readStackFile } from '../local/stack-file.ts';
import { UsageError } from './command.ts';

// Where the commands that talk to a running system send and read: the local stack `npm start`
// runs (found through its stack.json), or a bucket (and table) on AWS with the usual credentials.

export interface Target {
  s3: S3Client;
  bucket: string;
  /** Null on AWS unless --table was given. */
  table: TableDeps | null;
  /** For messages: "the local stack (.data)" or "s3://bucket". */
  where: string;
}

/**
 * Attempts per S3 request from the command line: a connection reset while re-uploading to a busy
 * bucket is tried again, not the end of the command (the SDK's default is 3).
 */
export const TARGET_ATTEMPTS = 6;

/** The local stack started with this data dir, or a usage error saying how to start one. */
export async function localTarget(dataDir: string): Promise<Target> {
  const stack = await readStackFile(dataDir);
  if (stack === null || !isRunning(stack.pid)) {
    throw new UsageError(
      `no local stack is running with data dir ${dataDir}: start one with "npm start" ` +
        '(or pass the --data-dir it was started with, or --bucket NAME for AWS)',
    );
  }
  return {
    s3: createS3Client({ endpoint: stack.s3Endpoint, maxAttempts: TARGET_ATTEMPTS }),
    bucket: stack.bucket,
    table: {
      client: createDynamoClient({ endpoint: stack.dynamodbEndpoint }),
      tableName: stack.tableName,
    },
    where: `the local stack (${dataDir})`,
  };
}

/** A bucket (and optionally a table) on AWS, with the SDK's usual credentials and region. */
export function awsTarget(bucket: string, table: string | undefined): Target {
  return {
    s3: createS3Client({ maxAttempts: TARGET_ATTEMPTS }),
    bucket,
    table: table === undefined ? null : { client: createDynamoClient(), tableName: table },
    where: `s3://${bucket}`,
  };
}

/** Releases the target's clients, so the process can exit at once. */
export function closeTarget(target: Target): void {
  target.s3.destroy();
  target.table?.client.destroy();
}

/** A bucket's refusal of the credentials (HTTP 403), which the commands explain rather than throw. */
export function isAccessDenied(error: unknown): error is S3ServiceException {
  return error instanceof S3ServiceException && error.$metadata.httpStatusCode === 403;
}

/** The --org value, when given, checked as the upload keys name organisations. */
export function organisationOption<T extends string | undefined>(org: T): T {
  if (org !== undefined && !ORGANISATION_NAME.test(org)) {
    throw new UsageError(`--org "${org}" must be letters, digits, ".", "_" or "-"`);
  }
  return org;
}
