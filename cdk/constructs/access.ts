import { Aws } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { GSI1 } from '../../shared/store/index.ts';

// Least-privilege grants written out, because the generated ones are wider than the code needs:
// grantReadData allows Scan (the application never scans, and IAM now says so) and every index
// (`index/*`); the table has one, GSI1.

/**
 * The actions of the readers: GetItem, BatchGetItem and Query, as the API tests record. Not
 * DescribeTable: the health check is a GetItem (shared/store/queries.ts pingTable).
 */
export const TABLE_READ_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
] as const;

/** The ingest's writes: records, index entries and counters, in transactions and batches. */
export const TABLE_WRITE_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:ConditionCheckItem',
] as const;

/** Read-only access to the table and its GSI1. */
export function grantTableRead(grantee: iam.IGrantable, table: dynamodb.ITableV2): void {
  grantee.grantPrincipal.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'ReadTable',
      actions: [...TABLE_READ_ACTIONS],
      resources: [table.tableArn, `${table.tableArn}/index/${GSI1.name}`],
    }),
  );
}

/** Reads and writes of the table (writes to the table only: an index is written by DynamoDB). */
export function grantTableReadWrite(grantee: iam.IGrantable, table: dynamodb.ITableV2): void {
  grantTableRead(grantee, table);
  grantee.grantPrincipal.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'WriteTable',
      actions: [...TABLE_WRITE_ACTIONS],
      resources: [table.tableArn],
    }),
  );
}

/**
 * A bucket of this system, named deterministically (`imr-atlas-<stage>-<kind>-<account>-<region>`)
 * so that other stacks address it by name without importing it, and so that its ARNs read the
 * same in every template and in cdk-nag's findings.
 */
export class BucketName {
  constructor(
    readonly stage: string,
    readonly kind: string,
  ) {}

  /** The name, as a CloudFormation value. */
  get value(): string {
    return `imr-atlas-${this.stage}-${this.kind}-${Aws.ACCOUNT_ID}-${Aws.REGION}`;
  }

  /** The bucket's ARN, or the ARN of its objects matching `pattern`. */
  arn(pattern?: string): string {
    return `arn:${Aws.PARTITION}:s3:::${this.value}${pattern === undefined ? '' : `/${pattern}`}`;
  }

  /** The same ARN as cdk-nag prints it in a finding id (`AwsSolutions-IAM5[Resource::...]`). */
  nagArn(pattern?: string): string {
    const name = `imr-atlas-${this.stage}-${this.kind}-<AWS::AccountId>-<AWS::Region>`;
    return `arn:<AWS::Partition>:s3:::${name}${pattern === undefined ? '' : `/${pattern}`}`;
  }
}
