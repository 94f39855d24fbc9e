import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';

// Every bucket of the system starts private, encrypted and TLS-only; what differs (versioning,
// lifecycle, access logs) is passed in.

export interface SecureBucketProps {
  /** A fixed name (other stacks address the bucket by it); default: generated. */
  bucketName?: string;
  /** `prod`: the bucket outlives its stack. */
  retain: boolean;
  versioned?: boolean;
  lifecycleRules?: s3.LifecycleRule[];
  /** Where S3 server access logs go (none for a log bucket itself). */
  accessLogs?: { bucket: s3.IBucket; prefix: string };
}

/** A private, encrypted, TLS-only bucket. */
export function secureBucket(scope: Construct, id: string, props: SecureBucketProps): s3.Bucket {
  return new s3.Bucket(scope, id, {
    ...(props.bucketName === undefined ? {} : { bucketName: props.bucketName }),
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    versioned: props.versioned ?? false,
    lifecycleRules: props.lifecycleRules ?? [],
    ...(props.accessLogs === undefined
      ? {}
      : {
          serverAccessLogsBucket: props.accessLogs.bucket,
          serverAccessLogsPrefix: props.accessLogs.prefix,
        }),
    removalPolicy: props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    autoDeleteObjects: !props.retain,
  });
}

/**
 * A bucket for access logs: S3 server access logs and, with `acls`, CloudFront standard logs
 * (which are delivered through an ACL grant).
 */
export function logBucket(
  scope: Construct,
  id: string,
  props: { retain: boolean; acls?: boolean },
): s3.Bucket {
  const bucket = new s3.Bucket(scope, id, {
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    objectOwnership: props.acls
      ? s3.ObjectOwnership.BUCKET_OWNER_PREFERRED
      : s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    lifecycleRules: [{ expiration: Duration.days(90) }],
    removalPolicy: props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    autoDeleteObjects: !props.retain,
  });
  Validations.of(bucket).acknowledge({
    id: 'AwsSolutions-S1',
    reason: 'This is the access log bucket; logging its own access would log the logging.',
  });
  return bucket;
}
