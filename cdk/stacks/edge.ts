import { Stack, type StackProps } from 'aws-cdk-lib';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import type { Construct } from 'constructs';

// The web ACL in front of CloudFront. AWS WAF takes a CloudFront web ACL only in us-east-1, so
// this stack is pinned there whatever region the others go to; the web stack, in its own region,
// reads the ACL's ARN from the parameter this stack writes (cdk/constructs/edge-acl.ts).

/** The region of every CloudFront web ACL (and of this stack). */
export const EDGE_REGION = 'us-east-1';

/**
 * Requests one IP address may make in five minutes before WAF answers 429 until its rate falls.
 * The API: a person searching and paging makes a few a minute; 600 is 2 a second, sustained.
 * Everything (pages, scripts, files): a page view is about 20 requests, most cached by browsers.
 * Generous on purpose: an office or a campus may reach the site through one address.
 */
export const RATE_LIMITS = { api: 600, all: 3000 } as const;
export const RATE_WINDOW_SECONDS = 300;

/** Where the ACL's ARN is kept for the web stack to read (in EDGE_REGION). */
export function webAclParameterName(stage: string): string {
  return `/imr-atlas/${stage}/cloudfront-web-acl-arn`;
}

export interface EdgeStackProps extends StackProps {
  stage: string;
}

export class EdgeStack extends Stack {
  readonly webAcl: wafv2.CfnWebACL;

  constructor(scope: Construct, id: string, props: EdgeStackProps) {
    super(scope, id, props);
    const visibility = (metricName: string) => ({
      cloudWatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName,
    });
    const tooMany = { block: { customResponse: { responseCode: 429 } } };
    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      name: `imr-atlas-${props.stage}-cloudfront`,
      description: 'IMR Atlas: requests per IP address, the API and the whole site',
      scope: 'CLOUDFRONT',
      defaultAction: { allow: {} },
      visibilityConfig: visibility(`imr-atlas-${props.stage}-cloudfront`),
      rules: [
        {
          name: 'api-per-ip',
          priority: 0,
          action: tooMany,
          statement: {
            rateBasedStatement: {
              aggregateKeyType: 'IP',
              limit: RATE_LIMITS.api,
              evaluationWindowSec: RATE_WINDOW_SECONDS,
              scopeDownStatement: {
                byteMatchStatement: {
                  fieldToMatch: { uriPath: {} },
                  positionalConstraint: 'STARTS_WITH',
                  searchString: '/api/',
                  textTransformations: [{ priority: 0, type: 'NONE' }],
                },
              },
            },
          },
          visibilityConfig: visibility('api-per-ip'),
        },
        {
          name: 'all-per-ip',
          priority: 1,
          action: tooMany,
          statement: {
            rateBasedStatement: {
              aggregateKeyType: 'IP',
              limit: RATE_LIMITS.all,
              evaluationWindowSec: RATE_WINDOW_SECONDS,
            },
          },
          visibilityConfig: visibility('all-per-ip'),
        },
      ],
    });

    new ssm.StringParameter(this, 'WebAclArn', {
      parameterName: webAclParameterName(props.stage),
      description: "The CloudFront web ACL's ARN, read by the web stack in its own region",
      stringValue: this.webAcl.attrArn,
    });
  }
}
