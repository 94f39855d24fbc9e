import { Duration, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import { GSI1, PARTITION_KEY, SORT_KEY } from '../../shared/store/index.ts';
import type { Deployment } from '../config.ts';
import { Organisations } from '../constructs/organisations.ts';
import { BucketName } from '../constructs/access.ts';
import { logBucket, secureBucket } from '../constructs/secure-bucket.ts';

// What holds the record and the letters: the table, the upload bucket (letters, receipts), the
// organisations' roles and the alarm topic every other stack reports to. The exports bucket's
// name is decided here; the bucket itself is the web stack's, whose distribution its policy names.

/** How long a letter that failed (tagged imr-status=failed) is kept for its sender to look at. */
export const FAILED_UPLOAD_DAYS = 90;
/** How long an overwritten or deleted letter's older version is kept. */
export const NONCURRENT_VERSION_DAYS = 30;

export interface StorageStackProps extends StackProps {
  deployment: Deployment;
  /** Prefix of resource names that must be named (organisation roles). */
  namePrefix: string;
}

export class StorageStack extends Stack {
  /** The stack's own table, or the restored one named by context `tableName`. */
  readonly table: dynamodb.ITableV2;
  readonly uploadBucket: s3.Bucket;
  readonly uploadBucketName: BucketName;
  readonly exportsBucketName: BucketName;
  readonly alarmTopic: sns.Topic;
  readonly organisations: Organisations;

  constructor(scope: Construct, id: string, props: StorageStackProps) {
    super(scope, id, props);
    const prod = props.deployment.stage === 'prod';
    this.uploadBucketName = new BucketName(props.deployment.stage, 'uploads');
    this.exportsBucketName = new BucketName(props.deployment.stage, 'exports');

    this.table =
      props.deployment.tableName === undefined
        ? ownTable(this, prod)
        : // A restored table (docs/DEPLOY.md "Restore") is not this stack's: the stacks use it
          // by name. The stack's own table leaves the stack: kept in prod (Retain), deleted in dev.
          dynamodb.TableV2.fromTableName(this, 'Table', props.deployment.tableName);

    const logs = logBucket(this, 'AccessLogs', { retain: prod });

    this.uploadBucket = secureBucket(this, 'Uploads', {
      bucketName: this.uploadBucketName.value,
      retain: prod,
      // The ingest records which version it read, so a re-delivered event for an old version
      // changes nothing; versions also undo an accidental overwrite.
      versioned: true,
      accessLogs: { bucket: logs, prefix: 'uploads/' },
      lifecycleRules: [
        {
          // Quarantine: a letter the ingest could not read stays, tagged with its reason, for
          // its sender and for diagnosis; its receipt and status record outlive it.
          id: 'expire-failed-uploads',
          tagFilters: { 'imr-status': 'failed' },
          expiration: Duration.days(FAILED_UPLOAD_DAYS),
        },
        {
          id: 'expire-old-versions',
          noncurrentVersionExpiration: Duration.days(NONCURRENT_VERSION_DAYS),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
        { id: 'remove-expired-delete-markers', expiredObjectDeleteMarker: true },
      ],
    });

    this.alarmTopic = new sns.Topic(this, 'Alarms', { enforceSSL: true });
    Validations.of(this.alarmTopic).acknowledge({
      id: 'AwsSolutions-SNS2',
      reason:
        'Alarm notifications carry only alarm names and states, no data; CloudWatch cannot ' +
        'publish to a topic under the AWS-managed SNS key, and a customer key costs $1/month.',
    });
    if (props.deployment.alarmEmail !== undefined) {
      this.alarmTopic.addSubscription(
        new subscriptions.EmailSubscription(props.deployment.alarmEmail),
      );
    }

    this.organisations = new Organisations(this, 'Organisations', {
      bucket: this.uploadBucketName,
      organisations: props.deployment.organisations,
      namePrefix: props.namePrefix,
    });
  }
}

// The shape comes from shared/store/table.ts, the same definition the local stack creates.
function ownTable(scope: Construct, prod: boolean): dynamodb.TableV2 {
  const attribute = (name: string) => ({ name, type: dynamodb.AttributeType.STRING });
  return new dynamodb.TableV2(scope, 'Table', {
    partitionKey: attribute(PARTITION_KEY),
    sortKey: attribute(SORT_KEY),
    globalSecondaryIndexes: [
      {
        indexName: GSI1.name,
        partitionKey: attribute(GSI1.partitionKey),
        sortKey: attribute(GSI1.sortKey),
        projectionType: dynamodb.ProjectionType.ALL,
      },
    ],
    billing: dynamodb.Billing.onDemand(),
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    deletionProtection: prod,
    removalPolicy: prod ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
  });
}
