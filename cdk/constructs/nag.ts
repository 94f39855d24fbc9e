import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

// cdk-nag reports each wildcard of a policy as its own finding (`AwsSolutions-IAM5[Resource::
// arn/uploads/*]`), and an acknowledgement names one finding exactly. These helpers acknowledge
// the wildcards that are a prefix's contents, each with its reason.

/** Acknowledges the wildcard resources `nagArns` (see BucketName.nagArn) on `construct`. */
export function acknowledgeWildcards(
  construct: IConstruct,
  nagArns: readonly string[],
  reason: string,
): void {
  for (const arn of nagArns) {
    Validations.of(construct).acknowledge({ id: `AwsSolutions-IAM5[Resource::${arn}]`, reason });
  }
}
