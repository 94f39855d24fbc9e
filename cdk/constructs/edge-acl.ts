import { Arn, Stack } from 'aws-cdk-lib';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { EDGE_REGION } from '../stacks/edge.ts';

// The CloudFront web ACL's ARN, read at deploy time from the parameter the edge stack writes in
// us-east-1. CDK's own cross-region references do the same, but need every stack's region known
// at synthesis, and this app is environment-agnostic. The read is one GetParameter, nothing
// written; it is read again when the parameter's name changes.

export class EdgeAclArn extends Construct {
  /** The ARN, as a deploy-time value. */
  readonly arn: string;

  constructor(scope: Construct, id: string, props: { parameterName: string }) {
    super(scope, id);
    const stack = Stack.of(this);
    const parameterArn = Arn.format(
      {
        service: 'ssm',
        region: EDGE_REGION,
        resource: 'parameter',
        // The name starts with a slash, which the ARN's "parameter/" already supplies.
        resourceName: props.parameterName.replace(/^\//, ''),
      },
      stack,
    );
    const read: cr.AwsSdkCall = {
      service: 'SSM',
      action: 'getParameter',
      parameters: { Name: props.parameterName },
      region: EDGE_REGION,
      physicalResourceId: cr.PhysicalResourceId.of(props.parameterName),
    };
    const reader = new cr.AwsCustomResource(this, 'Read', {
      onCreate: read,
      onUpdate: read,
      policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: [parameterArn] }),
      installLatestAwsSdk: false,
    });
    this.arn = reader.getResponseField('Parameter.Value');
  }
}
